/**
 * `npm run bench` — SMTP relay throughput of Sealpost against Postfix on this machine (DESIGN §8).
 *
 * For every workload (sessions × message size × count) it measures, with the same load generator
 * (bench/lib/load.ts) and the same sink (bench/sink.ts, its own process):
 *   - the sink alone (the generator straight into the sink: the ceiling of the harness),
 *   - a throw-away Postfix relay (bench/lib/postfix.ts) when Postfix is installed,
 *   - Sealpost as a child process (`sealpost start`, fresh config and database per run) on SQLite
 *     and on PostgreSQL (a throw-away database on the local server),
 * and prints msgs/s, p50/p99 latency (end of DATA → arrival at the sink), CPU-ms per message and
 * peak memory, plus the ratio Sealpost/Postfix msgs/s. docs/bench.md explains every figure.
 *
 * Options:
 *   --quick                 one small workload (300 × 10 KB, 10 sessions): a smoke check
 *   --workload A[,B…]       only these workloads (10kb-10 10kb-50 100kb-10 100kb-50 2mb-10 2mb-50)
 *   --storage S             sqlite | postgres | both (default both; postgres is skipped with a note
 *                           when this build or this machine cannot run it)
 *   --no-postfix            skip the Postfix comparison
 *   --messages N            override the message count of every workload
 *   --profile [WORKLOAD]    also run the 10 KB relay path (10kb-10; or the workload named) once
 *                           more under V8's CPU profiler, on the first storage of --storage, and
 *                           print the top self-time functions and (SQLite) the time per statement
 *   --keep                  keep temp dirs (gateway logs, Postfix maillog, profiles)
 *   --json FILE             also write every figure as JSON
 *   --no-build              do not run `tsc -p tsconfig.build.json` first
 *   --pg-url URL            PostgreSQL admin URL (default $SEALPOST_TEST_PG_URL or
 *                           postgres://postgres@127.0.0.1:5432/postgres)
 * Every loop is bounded by a message count and a time limit; only 127.0.0.1 is used.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BenchGateway } from './lib/gateway.js';
import { runLoad, type LoadResult } from './lib/load.js';
import { findPostfix, postfixVersion, PostfixInstance } from './lib/postfix.js';
import { cpuMs, loadavg, peakRssMb, treeCpuMs, treePssMb } from './lib/procstat.js';
import { formatSqlStats, formatSummary, summariseProfile, type SqlStat } from './lib/profile.js';
import { SinkProcess } from './lib/sink-process.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
function option(name: string): string | undefined {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : undefined;
}
const KNOWN = new Set(['quick', 'workload', 'storage', 'method', 'no-postfix', 'messages', 'profile', 'keep', 'json', 'no-build', 'pg-url', 'help']);
for (const a of argv) {
  if (a.startsWith('--') && !KNOWN.has(a.slice(2))) {
    console.error(`unknown option ${a} (see the header of bench/run.ts or docs/bench.md)`);
    process.exit(1);
  }
}
if (flag('help')) {
  console.log('npm run bench -- [--quick] [--workload 10kb-10,…] [--storage sqlite|postgres|both] [--method relay|smime|pgp|both] [--no-postfix] [--messages N] [--profile] [--keep] [--json FILE] [--no-build] [--pg-url URL]');
  process.exit(0);
}

interface Workload {
  readonly name: string;
  readonly sessions: number;
  readonly size: number;
  readonly count: number;
  readonly warmup: number;
}

const KB = 1024;
const MB = 1024 * 1024;
const ALL: Workload[] = [
  { name: '10kb-10', sessions: 10, size: 10 * KB, count: 2000, warmup: 200 },
  { name: '10kb-50', sessions: 50, size: 10 * KB, count: 2000, warmup: 200 },
  { name: '100kb-10', sessions: 10, size: 100 * KB, count: 1000, warmup: 100 },
  { name: '100kb-50', sessions: 50, size: 100 * KB, count: 1000, warmup: 100 },
  { name: '2mb-10', sessions: 10, size: 2 * MB, count: 100, warmup: 20 },
  { name: '2mb-50', sessions: 50, size: 2 * MB, count: 100, warmup: 50 },
];

const quick = flag('quick');
let workloads: Workload[] = quick ? [{ name: '10kb-10', sessions: 10, size: 10 * KB, count: 300, warmup: 50 }] : ALL;
const selected = option('workload');
if (selected) {
  const names = selected.split(',').map((s) => s.trim().toLowerCase());
  const unknown = names.filter((n) => !ALL.some((w) => w.name === n));
  if (unknown.length) {
    console.error(`unknown workload ${unknown.join(', ')}; known: ${ALL.map((w) => w.name).join(' ')}`);
    process.exit(1);
  }
  workloads = ALL.filter((w) => names.includes(w.name)).map((w) => (quick ? { ...w, count: Math.min(w.count, 300), warmup: Math.min(w.warmup, 50) } : w));
}
const messagesOverride = option('messages');
if (messagesOverride) {
  const n = Number(messagesOverride);
  if (!Number.isInteger(n) || n <= 0 || n > 100_000) {
    console.error('--messages must be an integer 1..100000');
    process.exit(1);
  }
  workloads = workloads.map((w) => ({ ...w, count: n, warmup: Math.min(w.warmup, Math.ceil(n / 10)) }));
}
const methodOpt = (option('method') ?? 'relay').toLowerCase();
if (!['relay', 'smime', 'pgp', 'both'].includes(methodOpt)) {
  console.error('--method must be relay, smime, pgp or both');
  process.exit(1);
}
// smime: every message is S/MIME-encrypted (AES-256-CBC, RSA-2048) to a trusted recipient certificate
// pgp: every message is PGP/MIME-encrypted (SEIPD v1 + MDC, AES-256) to a Curve25519 key of the recipient
const methods: Array<'relay' | 'smime' | 'pgp'> = methodOpt === 'both' ? ['relay', 'smime'] : [methodOpt as 'relay' | 'smime' | 'pgp'];
const storageOpt = (option('storage') ?? 'both').toLowerCase();
if (!['sqlite', 'postgres', 'both'].includes(storageOpt)) {
  console.error('--storage must be sqlite, postgres or both');
  process.exit(1);
}
const storages: Array<'sqlite' | 'postgres'> = storageOpt === 'both' ? ['sqlite', 'postgres'] : [storageOpt as 'sqlite' | 'postgres'];
const withPostfix = !flag('no-postfix');
const keep = flag('keep');
const pgUrl = option('pg-url');
if (pgUrl) process.env.SEALPOST_TEST_PG_URL = pgUrl;

/** stop sending after this long per run, and wait this long at most for the last arrivals */
const SEND_LIMIT_MS = 180_000;
const DELIVERY_LIMIT_MS = 180_000;

// ---------------------------------------------------------------- figures

interface RunResult {
  readonly workload: string;
  readonly system: string;
  readonly sent: number;
  readonly delivered: number;
  /** delivered / (last arrival − first send) */
  readonly msgsPerSec: number;
  /** accepted / (last 250 − first send), as the clients saw it */
  readonly acceptedPerSec: number;
  readonly p50: number;
  readonly p99: number;
  /** ms of CPU of the system under test per delivered message */
  readonly cpuMsPerMsg: number;
  /** PostgreSQL runs: CPU ms per message of the server backends serving the gateway's database (not in cpuMsPerMsg) */
  readonly dbCpuMsPerMsg?: number;
  /** MB; what it is depends on memoryKind */
  readonly memoryMb: number;
  readonly memoryKind: 'VmHWM' | 'ΣPSS peak' | '';
  /** CPU of the load generator + sink per message (they share the machine) */
  readonly harnessMsPerMsg: number;
  readonly errors: number;
  readonly notes: string[];
}

const results: RunResult[] = [];
const notes: string[] = [];

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

interface Target {
  readonly system: string;
  readonly port: number;
  /** CPU ms of the system under test so far */
  cpu(): number;
  /** sampled during the run (Postfix: Σ PSS of its processes); null when read at the end */
  sampleMemory?: () => number;
  /** read once at the end (Sealpost: VmHWM) */
  finalMemory?: () => number;
  /** CPU ms so far of a database server working for the system under test */
  dbCpu?: () => Promise<number>;
  readonly memoryKind: RunResult['memoryKind'];
}

/** One measured run: warm-up (not measured), then `count` messages; bounded by count and time. */
async function measure(w: Workload, sink: SinkProcess, target: Target, tag: string): Promise<{ result: RunResult; load: LoadResult; lastArrival: bigint }> {
  const runNotes: string[] = [];
  if (w.warmup > 0) {
    const warm = await runLoad({ port: target.port, count: w.warmup, sessions: w.sessions, size: w.size, prefix: `${tag}-w-`, timeLimitMs: SEND_LIMIT_MS });
    const missing = await sink.waitFor([...warm.sent.keys()], DELIVERY_LIMIT_MS);
    if (warm.errorCount || missing) runNotes.push(`warm-up: ${warm.errorCount} errors, ${missing} not delivered`);
  }
  const harness0 = cpuMs(process.pid, false) + cpuMs(sink.pid, false);
  const cpu0 = target.cpu();
  const db0 = await target.dbCpu?.();
  let memPeak = 0;
  const sampler = target.sampleMemory
    ? setInterval(() => {
        const m = target.sampleMemory!();
        if (Number.isFinite(m)) memPeak = Math.max(memPeak, m);
      }, 250)
    : null;
  const load = await runLoad({ port: target.port, count: w.count, sessions: w.sessions, size: w.size, prefix: `${tag}-m-`, timeLimitMs: SEND_LIMIT_MS });
  const tokens = [...load.sent.keys()];
  const missing = await sink.waitFor(tokens, DELIVERY_LIMIT_MS);
  const cpu = target.cpu() - cpu0;
  const db1 = await target.dbCpu?.();
  const harness = cpuMs(process.pid, false) + cpuMs(sink.pid, false) - harness0;
  if (sampler) {
    clearInterval(sampler);
    memPeak = Math.max(memPeak, target.sampleMemory!());
  }
  if (target.finalMemory) memPeak = target.finalMemory();

  let lastArrival = load.startNs;
  const latencies: number[] = [];
  for (const [token, s] of load.sent) {
    const at = sink.arrivals.get(token);
    if (at === undefined) continue;
    if (at > lastArrival) lastArrival = at;
    latencies.push(nsToMs(at - s.endOfData));
  }
  latencies.sort((a, b) => a - b);
  let lastAck = load.startNs;
  for (const s of load.sent.values()) if (s.acked > lastAck) lastAck = s.acked;
  const delivered = latencies.length;
  if (load.errorCount) runNotes.push(`${load.errorCount} transactions refused/failed, e.g. ${load.errors.slice(0, 2).join(' | ')}`);
  if (load.timedOut) runNotes.push(`sending stopped at the ${SEND_LIMIT_MS / 1000} s limit`);
  if (missing) runNotes.push(`${missing} accepted messages not at the sink after ${DELIVERY_LIMIT_MS / 1000} s`);
  const result: RunResult = {
    workload: w.name,
    system: target.system,
    sent: load.sent.size,
    delivered,
    msgsPerSec: delivered / (nsToMs(lastArrival - load.startNs) / 1000),
    acceptedPerSec: load.sent.size / (nsToMs(lastAck - load.startNs) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuMsPerMsg: cpu / Math.max(1, delivered),
    ...(db0 !== undefined && db1 !== undefined ? { dbCpuMsPerMsg: (db1 - db0) / Math.max(1, delivered) } : {}),
    memoryMb: memPeak,
    memoryKind: target.memoryKind,
    harnessMsPerMsg: harness / Math.max(1, delivered),
    errors: load.errorCount + missing,
    notes: runNotes,
  };
  return { result, load, lastArrival };
}

// ---------------------------------------------------------------- systems under test

interface PgDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}
let pgUnavailable: string | null = null;

async function pgDatabase(): Promise<PgDatabase | null> {
  if (pgUnavailable) return null;
  try {
    const { createTestDatabase } = await import('../test/helpers/postgres.js');
    return await createTestDatabase();
  } catch (err) {
    pgUnavailable = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
    return null;
  }
}

/** CPU ms so far of the PostgreSQL backends connected to `database` (the gateway's pool; it stays open during a run) */
async function backendCpuMs(database: string): Promise<number> {
  const { onDatabase, PG_ADMIN_URL } = await import('../test/helpers/postgres.js');
  const pids = await onDatabase(PG_ADMIN_URL, async (c) => (await c.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [database])).rows.map((r) => r.pid));
  return pids.reduce((sum, pid) => sum + (Number.isFinite(cpuMs(pid, false)) ? cpuMs(pid, false) : 0), 0);
}

async function runSealpost(w: Workload, sink: SinkProcess, storage: 'sqlite' | 'postgres', tag: string, profileDir?: string, method: 'relay' | 'smime' | 'pgp' = 'relay'): Promise<RunResult | null> {
  const system = method === 'relay' ? `sealpost ${storage}` : `sealpost ${storage} ${method}`;
  let db: PgDatabase | null = null;
  if (storage === 'postgres') {
    db = await pgDatabase();
    if (!db) return null;
  }
  let gw: BenchGateway;
  try {
    gw = await BenchGateway.start({
      sinkPort: sink.port,
      sessions: w.sessions,
      ...(method === 'smime' ? { smime: { recipient: 'bob@elsewhere.test' } } : {}),
      ...(method === 'pgp' ? { pgp: { recipient: 'bob@elsewhere.test' } } : {}),
      ...(db ? { storageUrl: db.url } : {}),
      // the profiler preload: V8 CPU profile + per-statement SQLite timings (see the file)
      ...(profileDir ? { execArgv: ['--require', join(ROOT, 'bench', 'lib', 'cpu-profile-preload.cjs')], env: { SEALPOST_BENCH_PROFILE_DIR: profileDir } } : {}),
    });
  } catch (err) {
    await db?.drop().catch(() => undefined);
    const text = err instanceof Error ? err.message : String(err);
    if (storage === 'postgres') {
      const why = /"msg":"([^"]+)"/.exec(text)?.[1] ?? /SP_ERR_\w+[^\n]*/.exec(text)?.[0] ?? text.split('\n')[0]!;
      pgUnavailable = `the gateway did not start on PostgreSQL: ${why}`;
      return null;
    }
    throw err;
  }
  try {
    const pid = gw.pid;
    const { result: r, load, lastArrival } = await measure(
      w,
      sink,
      { system, port: gw.port, cpu: () => cpuMs(pid), finalMemory: () => peakRssMb(pid), memoryKind: 'VmHWM', ...(db ? { dbCpu: () => backendCpuMs(db!.name) } : {}) },
      tag,
    );
    const exit = await gw.stop(60_000);
    if (exit.code !== 0) r.notes.push(`gateway exit ${JSON.stringify(exit)}`);
    if (r.errors > 0) r.notes.push(`gateway log tail:\n${await gw.logTail(5)}`);
    if (keep) r.notes.push(`gateway dir ${gw.dir}`);
    if (profileDir) {
      const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
      if (files.length === 0) console.log('(no .cpuprofile was written)');
      else {
        const summary = await summariseProfile(join(profileDir, files[0]!), { from: load.startNs, to: lastArrival });
        console.log('');
        console.log(`CPU profile of the gateway during the measured ${w.name} run (${r.msgsPerSec.toFixed(0)} msgs/s under the profiler; ${join(profileDir, files[0]!)}):`);
        console.log(formatSummary(summary));
        const sqlFile = files[0]!.replace(/\.cpuprofile$/, '.sql.json');
        if ((await readdir(profileDir)).includes(sqlFile)) console.log(formatSqlStats(JSON.parse(await readFile(join(profileDir, sqlFile), 'utf8')) as SqlStat[], w.count + w.warmup));
        console.log('');
      }
    }
    return r;
  } finally {
    await gw.dispose(keep);
    await db?.drop().catch(() => undefined);
  }
}

async function runPostfix(w: Workload, sink: SinkProcess, postfix: PostfixInstance, tag: string): Promise<RunResult> {
  const { result: r } = await measure(w, sink, { system: 'postfix', port: postfix.port, cpu: () => treeCpuMs(postfix.masterPid), sampleMemory: () => treePssMb(postfix.masterPid), memoryKind: 'ΣPSS peak' }, tag);
  if (r.errors > 0) r.notes.push(`postfix log tail:\n${await postfix.logTail(5)}`);
  return r;
}

async function runSinkAlone(w: Workload, sink: SinkProcess, tag: string): Promise<RunResult> {
  return (await measure(w, sink, { system: 'sink alone', port: sink.port, cpu: () => cpuMs(sink.pid, false), memoryKind: '' }, tag)).result;
}

// ---------------------------------------------------------------- output

const fmt = (v: number, digits = 0, width = 8): string => (Number.isFinite(v) ? v.toFixed(digits) : '–').padStart(width);

function header(): string {
  return `${'workload'.padEnd(9)} ${'system'.padEnd(22)} ${'msgs/s'.padStart(8)} ${'acc/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'CPU ms/msg'.padStart(11)} ${'memory MB'.padStart(10)}  ${'harness'.padStart(7)}  ${'vs Postfix'.padStart(10)}`;
}

function row(r: RunResult, postfix: RunResult | undefined): string {
  const ratio = postfix && r.system.startsWith('sealpost') ? `${(r.msgsPerSec / postfix.msgsPerSec).toFixed(2)}×` : '';
  const mem = r.memoryKind ? `${fmt(r.memoryMb, 0, 5)} ${r.memoryKind === 'VmHWM' ? 'HWM' : 'PSS'}` : '';
  const err = r.errors ? `  (${r.errors} errors)` : '';
  const cpu = r.dbCpuMsPerMsg !== undefined ? `${r.cpuMsPerMsg.toFixed(r.cpuMsPerMsg >= 10 ? 1 : 2)}+${r.dbCpuMsPerMsg.toFixed(r.dbCpuMsPerMsg >= 10 ? 1 : 2)}`.padStart(11) : fmt(r.cpuMsPerMsg, 2, 11);
  return `${r.workload.padEnd(9)} ${r.system.padEnd(22)} ${fmt(r.msgsPerSec)} ${fmt(r.acceptedPerSec)} ${fmt(r.p50, 1)} ${fmt(r.p99, 1)} ${cpu} ${mem.padStart(10)}  ${fmt(r.harnessMsPerMsg, 2, 7)}  ${ratio.padStart(10)}${err}`;
}

function gitDescribe(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src') ? ' + uncommitted changes in src/' : '';
    return `${head}${dirty}`;
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------- main

async function build(): Promise<void> {
  if (flag('no-build')) return;
  try {
    await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, timeout: 300_000 });
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? String(err);
    console.log(`note: tsc -p tsconfig.build.json failed; measuring the existing dist/ (it may be stale):\n${out.split('\n').slice(0, 5).join('\n')}`);
  }
}

async function main(): Promise<void> {
  const startLoad = loadavg();
  await build();
  const postfixBin = withPostfix ? findPostfix() : null;
  const cpu = cpus();
  console.log(`Sealpost relay benchmark — ${new Date().toISOString()}`);
  console.log(`code ${gitDescribe()}; Node ${process.version}; ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? '?'})`);
  console.log(`Postfix: ${!withPostfix ? 'skipped (--no-postfix)' : postfixBin ? `${await postfixVersion(postfixBin)} (${postfixBin}), throw-away instance` : 'not installed — comparison skipped (apt-get install postfix to enable it)'}`);
  console.log(`storage: ${storages.join(', ')}; workloads: ${workloads.map((w) => `${w.name} (${w.count} msgs)`).join(', ')}`);
  console.log(`load average at start: ${startLoad}`);

  const sink = await SinkProcess.start();
  let postfix: PostfixInstance | null = null;
  let profileDir: string | undefined;
  try {
    if (postfixBin) {
      try {
        postfix = await PostfixInstance.start(postfixBin, sink.port);
      } catch (err) {
        notes.push(`Postfix comparison skipped: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
      }
    }
    console.log('');
    console.log(header());
    let n = 0;
    for (const w of workloads) {
      const sinkRow = await runSinkAlone(w, sink, `s${n++}`);
      results.push(sinkRow);
      console.log(row(sinkRow, undefined));
      let pf: RunResult | undefined;
      if (postfix) {
        try {
          pf = await runPostfix(w, sink, postfix, `p${n++}`);
          results.push(pf);
          console.log(row(pf, undefined));
        } catch (err) {
          notes.push(`${w.name} postfix failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      for (const storage of storages) for (const method of methods) {
        let r: RunResult | null;
        try {
          r = await runSealpost(w, sink, storage, `g${n++}`, undefined, method);
        } catch (err) {
          // one broken run (a gateway that does not start) must not cost the other figures
          const why = (err instanceof Error ? err.message : String(err)).split('\n').slice(0, 6).join(' | ');
          console.log(`${w.name.padEnd(9)} ${`sealpost ${storage} ${method}`.padEnd(22)} failed: ${why.slice(0, 300)}`);
          notes.push(`${w.name} sealpost ${storage} ${method} failed: ${why}`);
          continue;
        }
        if (!r) continue;
        results.push(r);
        console.log(row(r, pf));
      }
    }
    if (flag('profile')) {
      profileDir = await mkdtemp(join(tmpdir(), 'sealpost-bench-prof-'));
      // `--profile` alone: the 10 KB relay path; `--profile 2mb-10`: that workload
      const w = ALL.find((x) => x.name === option('profile')) ?? ALL[0]!;
      await runSealpost(messagesOverride ? { ...w, count: Number(messagesOverride) } : w, sink, storages[0]!, `prof${n++}`, profileDir);
    }
  } finally {
    await postfix?.dispose(keep);
    await sink.stop();
    if (profileDir && !keep) await rm(profileDir, { recursive: true, force: true });
  }

  if (pgUnavailable && storages.includes('postgres')) notes.push(`PostgreSQL runs skipped: ${pgUnavailable}`);
  for (const r of results) for (const note of r.notes) notes.push(`${r.workload} ${r.system}: ${note}`);
  console.log('');
  console.log('msgs/s: delivered messages ÷ (first send → last arrival at the sink); acc/s: 250s after DATA ÷ (first send → last 250)');
  console.log('p50/p99: end of DATA (the final ".\\r\\n" written) → arrival at the sink; CPU ms/msg: the system under test only');
  console.log('  (PostgreSQL rows: gateway + the server backends of its database, which run on the same 2 cores)');
  console.log('memory: Sealpost VmHWM (peak RSS of the one process); Postfix Σ PSS of master + daemons, peak of 250 ms samples');
  console.log('harness: CPU ms/msg of the load generator + sink (they share the machine); vs Postfix: msgs/s ratio');
  for (const note of notes) console.log(`note: ${note}`);
  console.log(`load average at end: ${loadavg()}`);
  const jsonFile = option('json');
  if (jsonFile) await writeFile(jsonFile, `${JSON.stringify({ at: new Date().toISOString(), code: gitDescribe(), loadStart: startLoad, loadEnd: loadavg(), results, notes }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
