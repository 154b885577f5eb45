/**
 * CPU time and memory of processes, from Linux /proc (proc(5)).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticks = 100;
try {
  ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* the Linux default */
}

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after "(comm)": state is field 3 of proc(5), so index i here is field i + 3
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * CPU ms of a process: utime + stime, plus cutime + cstime (its children that exited and were
 * waited for — how a multi-process server like Postfix's master accounts for its daemons).
 */
export function cpuMs(pid: number, withReapedChildren = true): number {
  const f = statFields(pid);
  if (!f) return NaN;
  const t = Number(f[11]) + Number(f[12]) + (withReapedChildren ? Number(f[13]) + Number(f[14]) : 0);
  return (t * 1000) / ticks;
}

export function parentOf(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[1]) : null;
}

/** direct children of `pid` (a scan of /proc) */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (parentOf(Number(name)) === pid) out.push(Number(name));
  }
  return out;
}

/**
 * CPU ms of a process tree one level deep: the parent (with its reaped children) plus its live
 * children. Differences of two readings count every child's CPU exactly once, whether it lived
 * throughout, exited in between (then it is in the parent's cutime) or started in between.
 */
export function treeCpuMs(pid: number): number {
  let total = cpuMs(pid, true);
  for (const child of childrenOf(pid)) {
    const c = cpuMs(child, true);
    if (Number.isFinite(c)) total += c;
  }
  return total;
}

function statusKb(pid: number, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** peak resident set size (VmHWM) in MB */
export function peakRssMb(pid: number): number {
  return statusKb(pid, 'VmHWM') / 1024;
}

/** proportional set size in kB (shared pages divided among the processes sharing them) */
export function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** Σ PSS of a parent and its live children, MB */
export function treePssMb(pid: number): number {
  let kb = pssKb(pid);
  for (const child of childrenOf(pid)) {
    const c = pssKb(child);
    if (Number.isFinite(c)) kb += c;
  }
  return kb / 1024;
}

export function loadavg(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    return 'n/a';
  }
}
