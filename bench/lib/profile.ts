/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per area (a package
 * in node_modules, a directory of src/, Node internals, GC, idle), optionally only for the samples
 * inside a time window. V8 stamps samples with its monotonic clock in µs, the CLOCK_MONOTONIC of
 * process.hrtime.bigint() on Linux, so the window is given in hrtime nanoseconds.
 *
 * V8's sampler interrupts the thread on a wall-clock timer: time spent blocked inside a native
 * call (an fsync under better-sqlite3's `run`) is charged to that JS function, not to (idle).
 */
import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  readonly name: string;
  readonly ms: number;
  readonly pct: number;
}

export interface ProfileSummary {
  /** ms of samples in the window, idle included */
  readonly wallMs: number;
  /** ms not idle */
  readonly busyMs: number;
  readonly functions: ProfileRow[];
  readonly areas: ProfileRow[];
  /** busy ms whose stack includes a frame of each area (inclusive time) */
  readonly inclusiveAreas: ProfileRow[];
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const src = url.search(/\/(dist|src)\//);
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}

/** wrappers in cpu-profile-preload.cjs whose self time is spent in native SQLite code */
const PRELOAD_NATIVE: Record<string, string> = {
  betterSqlite3NativeCall: 'SQLite inside better-sqlite3 run/all/get: execution, WAL writes, fsync',
  timedPrepare: 'SQLite inside better-sqlite3 prepare',
};

/** where a frame belongs: `pkg:<name>`, `src/<dir>`, `node:<module>`, or a V8 pseudo-frame */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  // the SQL timing wrappers of cpu-profile-preload.cjs: their self time is the native SQLite call
  if (url.endsWith('cpu-profile-preload.cjs')) return functionName in PRELOAD_NATIVE ? 'pkg:better-sqlite3' : '(bench instrumentation)';
  if (!url) {
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)' || functionName === '(root)') return functionName;
    return '(native)';
  }
  const nm = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return `pkg:${nm[1]}`;
  const src = /\/(?:dist|src)\/([^/]+)\//.exec(url);
  if (src) return `src/${src[1]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  return shortUrl(url);
}

export async function summariseProfile(file: string, windowNs?: { from: bigint; to: bigint }, top = 25): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const fromUs = windowNs ? Number(windowNs.from / 1000n) : -Infinity;
  const toUs = windowNs ? Number(windowNs.to / 1000n) : Infinity;
  const self = new Map<number, number>();
  let t = profile.startTime;
  let inWindow = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < fromUs || t > toUs) continue;
    inWindow++;
    // a sample stands for the interval until the next one
    const span = profile.timeDeltas[i + 1] ?? delta;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + span);
  }
  if (windowNs && inWindow === 0) return summariseProfile(file, undefined, top);

  const fnTotals = new Map<string, number>();
  const areaTotals = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let wallUs = 0;
  let idleUs = 0;
  for (const [id, us] of self) {
    const node = byId.get(id)!;
    const f = node.callFrame;
    wallUs += us;
    if (f.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const key = f.url.endsWith('cpu-profile-preload.cjs')
      ? `${f.functionName} (${PRELOAD_NATIVE[f.functionName] ?? 'the bench\'s SQL timing wrapper itself'})`
      : f.url
        ? `${f.functionName || '(anonymous)'}  ${shortUrl(f.url)}:${f.lineNumber + 1}`
        : f.functionName || '(anonymous native)';
    fnTotals.set(key, (fnTotals.get(key) ?? 0) + us);
    const area = areaOf(f);
    areaTotals.set(area, (areaTotals.get(area) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const a = areaOf(byId.get(at)!.callFrame);
      if (a.startsWith('(')) continue;
      if (!seen.has(a)) {
        seen.add(a);
        inclusive.set(a, (inclusive.get(a) ?? 0) + us);
      }
    }
  }
  const busyUs = wallUs - idleUs;
  const rows = (m: Map<string, number>, n: number): ProfileRow[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, pct: busyUs > 0 ? (100 * us) / busyUs : 0 }));
  return { wallMs: wallUs / 1000, busyMs: busyUs / 1000, functions: rows(fnTotals, top), areas: rows(areaTotals, 20), inclusiveAreas: rows(inclusive, 20) };
}

export function formatSummary(s: ProfileSummary): string {
  const line = (r: ProfileRow): string => `  ${r.ms.toFixed(0).padStart(7)} ms ${r.pct.toFixed(1).padStart(5)}%  ${r.name.length > 140 ? `${r.name.slice(0, 137)}...` : r.name}`;
  return [
    `main thread: ${s.wallMs.toFixed(0)} ms sampled, ${s.busyMs.toFixed(0)} ms busy (${((100 * s.busyMs) / Math.max(1, s.wallMs)).toFixed(0)}%), the rest idle in the event loop`,
    'top self time (percent of busy):',
    ...s.functions.map(line),
    'self time by area:',
    ...s.areas.map(line),
    'inclusive time by area (a stack counts once per area it passes through):',
    ...s.inclusiveAreas.map(line),
  ].join('\n');
}


/** one statement's figures from cpu-profile-preload.cjs (the whole life of the process) */
export interface SqlStat {
  readonly sql: string;
  readonly prepares: number;
  readonly prepareMs: number;
  readonly runs: number;
  readonly runMs: number;
  readonly rows: number;
}

export function formatSqlStats(stats: readonly SqlStat[], messages: number, top = 15): string {
  const total = stats.reduce((a, s) => a + s.prepareMs + s.runMs, 0);
  const prepares = stats.reduce((a, s) => a + s.prepares, 0);
  const prepareMs = stats.reduce((a, s) => a + s.prepareMs, 0);
  const runs = stats.reduce((a, s) => a + s.runs, 0);
  const lines = [...stats]
    .sort((a, b) => b.prepareMs + b.runMs - (a.prepareMs + a.runMs))
    .slice(0, top)
    .map((s) => {
      const sql = s.sql.length > 150 ? `${s.sql.slice(0, 147)}...` : s.sql;
      return `  ${(s.prepareMs + s.runMs).toFixed(0).padStart(6)} ms (prepare ${s.prepareMs.toFixed(0).padStart(4)})  ${String(s.runs).padStart(6)} runs ${((1000 * s.runMs) / Math.max(1, s.runs)).toFixed(0).padStart(5)} µs/run  ${(s.runs / messages).toFixed(2).padStart(5)}/msg  ${sql}`;
    });
  return [
    `better-sqlite3 on the event loop, whole process life (${messages} messages incl. warm-up): ${total.toFixed(0)} ms in all, ${(total / messages).toFixed(2)} ms/msg; ` +
      `${runs} statement runs (${(runs / messages).toFixed(1)}/msg), ${prepares} prepares taking ${prepareMs.toFixed(0)} ms${prepares >= runs ? ' (every run prepared anew: no statement cache)' : ''}`,
    ...lines,
  ].join('\n');
}
