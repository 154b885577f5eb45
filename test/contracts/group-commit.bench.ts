/**
 * Group-commit measurement for spool.accept on this disk (not a test; run by hand):
 *   node --import tsx test/contracts/group-commit.bench.ts [messages=2000] [sessions=100] [bodyKB=10] [postgres]
 * Prints fsync'd commits/s and accepts/s for: raw better-sqlite3 one row per transaction, the
 * store with batching off (maxBatch 1) and on (64), each with `sessions` concurrent callers that
 * accept one message after another (what many SMTP sessions do). With the 4th argument
 * `postgres` the same store runs are repeated on a throw-away PostgreSQL database per run
 * (SEALPOST_TEST_PG_URL, default the local server).
 * Belongs in bench/ once that folder exists; kept here beside the suite that checks the counters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { createStores, openDatabase } from '../../src/db/index.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { message } from './store-fixtures.js';

const [total, sessions, kb] = [Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 100), Number(process.argv[4] ?? 10)];
const bodyText = 'x'.repeat(kb * 1024);
const dir = mkdtempSync(join(tmpdir(), 'sealpost-bench-'));

function raw(n: number): void {
  const db = new BetterSqlite3(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table t (id text primary key, body blob)');
  const ins = db.prepare('insert into t values (?, ?)');
  const body = Buffer.from(bodyText);
  const t = performance.now();
  for (let i = 0; i < n; i++) ins.run(`r${i}`, body); // autocommit: one fsync'd transaction per row
  const s = (performance.now() - t) / 1000;
  console.log(`raw better-sqlite3, 1 row/commit      : ${(n / s).toFixed(0).padStart(6)} commits/s = accepts/s`);
  db.close();
}

async function store(label: string, maxBatch: number, concurrency: number, n: number, engine: 'sqlite' | 'postgres' = 'sqlite'): Promise<void> {
  const pg = engine === 'postgres' ? await createTestDatabase() : null;
  const stores = createStores(await openDatabase(pg ? pg.url : `sqlite:${join(dir, `${label}.db`)}`), { acceptBatch: { maxBatch } });
  label = `${engine} ${label}`;
  let next = 0;
  const latencies: number[] = [];
  const t = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const t0 = performance.now();
        await stores.spool.accept(message(`${label}-${i}`, ['bob@partner.test'], bodyText));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const s = (performance.now() - t) / 1000;
  const st = stores.stats().accept;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  console.log(
    `store ${label.padEnd(38)}: ${(st.commits / s).toFixed(0).padStart(6)} commits/s, ${(n / s).toFixed(0).padStart(6)} accepts/s, ` +
      `avg batch ${(st.items / st.commits).toFixed(1)}, largest ${st.largestBatch}, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`,
  );
  await stores.close();
  await pg?.drop();
}

console.log(`${total} messages of ${kb} KB, ${sessions} concurrent callers, dir ${dir}`);
raw(Math.min(total, 1000));
await store('sequential (1 caller)', 64, 1, Math.min(total, 1000));
await store(`unbatched (maxBatch 1)`, 1, sessions, total);
await store(`batched (maxBatch 64)`, 64, sessions, total);
if (process.argv[5] === 'postgres') {
  await store('sequential (1 caller)', 64, 1, Math.min(total, 1000), 'postgres');
  await store(`unbatched (maxBatch 1)`, 1, sessions, total, 'postgres');
  await store(`batched (maxBatch 64)`, 64, sessions, total, 'postgres');
}

rmSync(dir, { recursive: true, force: true });
