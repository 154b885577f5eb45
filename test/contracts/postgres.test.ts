/**
 * The store contracts on PostgreSQL (a throw-away database per test, dropped afterwards), plus
 * what only a shared server has: several "nodes" (separate pools) claiming and settling the same
 * rows at once, SKIP LOCKED, advisory-lock singletons, connections dying under the stores, and
 * clear failures at open. Needs the local server (scripts/test.sh starts it and exports
 * SEALPOST_TEST_PG_URL); when it cannot be reached every test here FAILS with a message saying so.
 * Run: node --import tsx --test test/contracts/postgres.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { createStores, openDatabase, type StoreOptions, type Stores } from '../../src/db/index.js';
import { createTestDatabase, onDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { migrations } from '../../src/db/migrations/index.js';
import { runQueueStoreContract } from './queue-store.contract.js';
import { runSpoolStoreContract } from './spool-store.contract.js';
import { body, commit, item, message, rejectsWith, T0, uid, type MakeHarness, type StoreHarness } from './store-fixtures.js';

/** connection errors (tests terminate backends on purpose) are not printed as process warnings */
const openStores = async (url: string, opts: StoreOptions = {}): Promise<Stores> => createStores(await openDatabase(url, { postgres: { poolSize: 4, onConnectionError: () => undefined } }), opts);

const makePostgres: MakeHarness = async (opts: StoreOptions = {}): Promise<StoreHarness> => {
  const tdb = await createTestDatabase();
  let stores: Stores;
  try {
    stores = await openStores(tdb.url, opts);
  } catch (err) {
    await tdb.drop();
    throw err;
  }
  return {
    get stores() {
      return stores;
    },
    async reopen() {
      await stores.close();
      stores = await openStores(tdb.url, opts);
      return stores;
    },
    async poisonSpoolInserts(prefix: string) {
      const k = stores.database.kysely;
      await sql`create function test_poison() returns trigger language plpgsql as $$ begin if left(new.id, ${sql.lit(prefix.length)}) = ${sql.lit(prefix)} then raise exception 'poisoned by the test'; end if; return new; end $$`.execute(k);
      await sql`create trigger test_poison before insert on spool_entries for each row execute function test_poison()`.execute(k);
    },
    async cleanup() {
      await stores.close();
      await tdb.drop();
    },
  };
};

test('PostgreSQL is reachable (the suites below need it; they fail, never skip, without it)', async (t) => {
  const { version } = await requirePostgres();
  t.diagnostic(`PostgreSQL ${version}`);
});

runSpoolStoreContract('postgres', makePostgres);
runQueueStoreContract('postgres', makePostgres);

/** A database of its own for a test that opens several "nodes" (pools) on it. */
async function withDatabase(fn: (tdb: TestDatabase) => Promise<void>): Promise<void> {
  const tdb = await createTestDatabase();
  try {
    await fn(tdb);
  } finally {
    await tdb.drop();
  }
}

/** n nodes = n separate pools on one database, as n gateway processes would have. */
async function withNodes(n: number, fn: (nodes: Stores[], tdb: TestDatabase) => Promise<void>, opts: StoreOptions = {}): Promise<void> {
  await withDatabase(async (tdb) => {
    const nodes: Stores[] = [];
    try {
      // opened one after the other here; concurrent opening has its own test
      for (let i = 0; i < n; i++) nodes.push(await openStores(tdb.url, opts));
      await fn(nodes, tdb);
    } finally {
      await Promise.all(nodes.map((s) => s.close()));
    }
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('PostgreSQL specifics', () => {
  test('open fails at once and clearly when the server is unreachable; the password never shows', async () => {
    const started = Date.now();
    // port 1 on loopback: nothing listens there, the connection is refused at once
    const err = await rejectsWith(openDatabase('postgres://sealpost:s3cretpw@127.0.0.1:1/sealpost'), 'SP_ERR_STORE_UNAVAILABLE');
    assert.match(err.message, /postgres:\/\/sealpost:\*\*\*@127\.0\.0\.1:1\/sealpost/, 'names the redacted URL');
    assert.match(err.message, /ECONNREFUSED/);
    assert.doesNotMatch(err.message, /s3cretpw/);
    assert.equal(err.context.path, 'postgres://sealpost:***@127.0.0.1:1/sealpost');
    assert.doesNotMatch(JSON.stringify(err.context), /s3cretpw/);
    const q = await rejectsWith(openDatabase('postgresql://sealpost@127.0.0.1:1/sealpost?password=qu3ryPw&sslmode=disable'), 'SP_ERR_STORE_UNAVAILABLE');
    assert.doesNotMatch(q.message, /qu3ryPw/);
    assert.match(q.message, /password=\*\*\*/);
    assert.ok(Date.now() - started < 5000, 'no long hang');
  });

  test('open fails clearly for a database that does not exist, and on a short connect timeout', async () => {
    const tdb = await createTestDatabase();
    await tdb.drop();
    const err = await rejectsWith(openDatabase(tdb.url), 'SP_ERR_STORE_UNAVAILABLE');
    assert.match(err.message, new RegExp(`${tdb.name}.*does not exist`));
    // a listener that accepts TCP but never speaks: the connect timeout bounds the wait
    const net = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const mute = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const port = (mute.address() as { port: number }).port;
    try {
      const started = Date.now();
      const slow = await rejectsWith(openDatabase(`postgres://postgres@127.0.0.1:${port}/x`, { postgres: { connectTimeoutMs: 300 } }), 'SP_ERR_STORE_UNAVAILABLE');
      assert.match(slow.message, /timeout/i);
      assert.ok(Date.now() - started < 3000);
    } finally {
      for (const s of sockets) s.destroy();
      mute.close();
    }
  });

  test('schema: bigint/integer/bytea/text (collate "C"); int8 comes back as strings from pg, as numbers from the stores', () =>
    withNodes(1, async ([node], tdb) => {
      const cols = await onDatabase(tdb.url, async (c) =>
        (await c.query<{ column_name: string; data_type: string; collation_name: string | null }>("select column_name, data_type, collation_name from information_schema.columns where table_name = 'spool_entries'")).rows,
      );
      const type = (name: string) => cols.find((c) => c.column_name === name);
      assert.equal(type('received_at')?.data_type, 'bigint');
      assert.equal(type('attempts')?.data_type, 'integer');
      assert.equal(type('body')?.data_type, 'bytea');
      assert.equal(type('id')?.data_type, 'text');
      assert.equal(type('id')?.collation_name, 'C');
      assert.equal(node!.database.engine.name, 'postgres');
      assert.doesNotMatch(node!.database.location, /:[^/@:]+@/, 'no password in location');

      const id = uid('M');
      await node!.spool.accept(message(id));
      const raw = await onDatabase(tdb.url, async (c) => (await c.query('select received_at, next_attempt_at, body from spool_entries')).rows[0] as Record<string, unknown>);
      assert.equal(typeof raw.received_at, 'string', 'node-postgres returns int8 as a string');
      assert.ok(Buffer.isBuffer(raw.body));
      const e = await node!.spool.get(id);
      assert.equal(typeof e?.receivedAt, 'number');
      assert.equal(typeof (await node!.spool.nextDueAt()), 'number');
      const [claimed] = await node!.spool.claim('n1', 1, 60_000, Date.now() + 1);
      assert.equal(typeof claimed?.nextAttemptAt, 'number');
      assert.equal(claimed?.claims, 1);
    }));

  test('three nodes opening (and migrating) a fresh database at the same moment all succeed', () =>
    withDatabase(async (tdb) => {
      const nodes = await Promise.all([openStores(tdb.url), openStores(tdb.url), openStores(tdb.url)]);
      try {
        const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(nodes[0]!.database.kysely);
        assert.deepEqual(rows.rows.map((r) => r.name), Object.keys(migrations(nodes[0]!.database.engine)).sort());
        const id = uid('M');
        await nodes[1]!.spool.accept(message(id));
        assert.ok(await nodes[2]!.spool.get(id));
      } finally {
        await Promise.all(nodes.map((n) => n.close()));
      }
    }));

  test('spool: four nodes claiming concurrently never get the same entry, and no claim exceeds its limit', () =>
    withNodes(4, async (nodes) => {
      const ids = Array.from({ length: 400 }, () => uid('M'));
      for (let i = 0; i < ids.length; i += 100) await Promise.all(ids.slice(i, i + 100).map((id) => nodes[0]!.spool.accept(message(id))));
      const now = Date.now() + 1000;
      const got = new Map<string, string[]>();
      let oversized = 0;
      let batches = 0;
      // every node runs three claim loops at once (a pool of 4 connections each)
      await Promise.all(
        nodes.flatMap((node, n) =>
          [0, 1, 2].map(async (loop) => {
            const owner = `node${n}`;
            for (;;) {
              const limit = 3 + ((n + loop) % 5);
              const batch = await node.spool.claim(owner, limit, 600_000, now);
              if (batch.length === 0) return;
              batches++;
              if (batch.length > limit) oversized++;
              for (const e of batch) got.set(e.id, [...(got.get(e.id) ?? []), `${owner}/${loop}`]);
            }
          }),
        ),
      );
      const twice = [...got].filter(([, who]) => who.length > 1);
      assert.deepEqual(twice, [], 'an entry was handed to two claimers');
      assert.equal(got.size, ids.length, 'every entry was claimed once');
      assert.equal(oversized, 0);
      const perNode = [0, 1, 2, 3].map((n) => [...got.values()].filter((w) => w[0]!.startsWith(`node${n}/`)).length);
      assert.ok(perNode.filter((c) => c > 0).length >= 2, `work was shared: ${perNode.join('/')} in ${batches} batches`);
    }));

  test('queue: four nodes claiming concurrently never get the same item', () =>
    withNodes(4, async (nodes) => {
      const messageId = uid('M');
      const b = body(messageId);
      const items = Array.from({ length: 400 }, (_, i) => item(messageId, b.id, `r${i}@x.test`, { nextAttemptAt: T0 + (i % 7) }));
      await nodes[0]!.queue.recordResults([], { bodies: [b], items });
      const got = new Map<string, number>();
      await Promise.all(
        nodes.flatMap((node, n) =>
          [0, 1].map(async () => {
            for (;;) {
              const batch = await node.queue.claimDue(`node${n}`, 9, 600_000, T0 + 10);
              if (batch.length === 0) return;
              assert.ok(batch.length <= 9);
              for (const i of batch) got.set(i.id, (got.get(i.id) ?? 0) + 1);
            }
          }),
        ),
      );
      assert.equal(got.size, items.length);
      assert.deepEqual([...got.values()].filter((c) => c > 1), []);
    }));

  test('SKIP LOCKED: a row locked by another transaction is passed over without waiting', () =>
    withNodes(1, async ([node], tdb) => {
      const [a, b, c] = [uid('A'), uid('B'), uid('C')];
      for (const id of [a, b, c]) await node!.spool.accept(message(id));
      await onDatabase(tdb.url, async (other) => {
        await other.query('begin');
        await other.query('select id from spool_entries where id = $1 for update', [a]);
        const started = Date.now();
        const claimed = await node!.spool.claim('n1', 10, 60_000, Date.now() + 1000);
        const took = Date.now() - started;
        await other.query('rollback');
        assert.deepEqual(claimed.map((e) => e.id).sort(), [b, c].sort(), 'the locked entry is skipped, not waited for');
        assert.ok(took < 2000, `the claim waited ${took} ms`);
      });
      assert.deepEqual((await node!.spool.claim('n2', 10, 60_000, Date.now() + 1000)).map((e) => e.id), [a], 'free again once the lock is gone');
    }));

  test('compare-and-set races across nodes: no settle is lost or doubled, whatever the interleaving', (t) =>
    withNodes(2, async ([n1, n2]) => {
      const ROUNDS = 45;
      const ids = Array.from({ length: ROUNDS }, () => uid('M'));
      for (const id of ids) await n1!.spool.accept(message(id));
      const both = ['bob@partner.test', 'carol@partner.test'];
      const results = await Promise.all(
        ids.map(async (id, i) => {
          // three kinds of race, in turn: the same commit twice (a double apply), two different
          // full decisions, two partial decisions settling different recipients
          const kind = i % 3;
          const c1 = kind === 2 ? commit(id, ['bob@partner.test'], { deferUntil: T0 + 1000 }) : commit(id, both);
          const c2 = kind === 0 ? c1 : kind === 2 ? commit(id, ['carol@partner.test'], { deferUntil: T0 + 1000 }) : commit(id, both);
          const [r1, r2] = await Promise.all([n1!.spool.settle([c1]), n2!.spool.settle([c2])]);
          const applied = [...(r1.applied.length ? [c1] : []), ...(r2.applied.length ? [c2] : [])];
          return { id, kind, applied, stale: r1.stale.length + r2.stale.length };
        }),
      );
      let conflicts = 0;
      for (const r of results) {
        const what = `${r.id} (race kind ${r.kind})`;
        assert.equal(r.applied.length + r.stale, 2, what);
        // the same commit, or two full decisions: exactly one applies (whichever order)
        if (r.kind !== 2) assert.equal(r.applied.length, 1, `${what}: ${r.applied.length} applied`);
        // two partial decisions: both apply when the transactions ran one after the other, one
        // is refused (compare-and-set on pending) when they overlapped; never a lost update
        if (r.kind === 2) {
          assert.ok(r.applied.length >= 1, what);
          if (r.applied.length === 1) conflicts++;
        }
        const queued = await n2!.queue.list({ messageId: r.id });
        const expected = r.applied.flatMap((c) => c.items.map((q) => q.id));
        assert.deepEqual(queued.map((q) => q.id).sort(), [...new Set(expected)].sort(), `${what}: only applied commits queued, once`);
        const settled = new Set(r.applied.flatMap((c) => c.settled));
        const left = both.filter((a) => !settled.has(a));
        const entry = await n1!.spool.get(r.id);
        if (left.length === 0) assert.equal(entry, null, what);
        else assert.deepEqual(entry?.pending, left, what);
      }
      t.diagnostic(`partial-settle races that overlapped (one refused): ${conflicts} of ${ROUNDS / 3}`);
    }));

  test('compare-and-set under a forced overlap: both settles read the same row, exactly one applies', () =>
    withNodes(2, async ([n1, n2], tdb) => {
      const both = ['bob@partner.test', 'carol@partner.test'];
      for (let i = 0; i < 9; i++) {
        const id = uid('M');
        await n1!.spool.accept(message(id));
        const kind = i % 3;
        const c1 = kind === 2 ? commit(id, ['bob@partner.test'], { deferUntil: T0 + 1000 }) : commit(id, both);
        const c2 = kind === 0 ? c1 : kind === 2 ? commit(id, ['carol@partner.test'], { deferUntil: T0 + 1000 }) : commit(id, both);
        // a third session holds the row lock: both settles read the row, then queue on its lock
        const [r1, r2] = await onDatabase(tdb.url, async (blocker) => {
          await blocker.query('begin');
          await blocker.query('select id from spool_entries where id = $1 for update', [id]);
          const racing = Promise.all([n1!.spool.settle([c1]), n2!.spool.settle([c2])]);
          await sleep(150);
          await blocker.query('rollback');
          return racing;
        });
        const applied = [...(r1.applied.length ? [c1] : []), ...(r2.applied.length ? [c2] : [])];
        assert.equal(applied.length, 1, `round ${i} (kind ${kind}): ${applied.length} applied`);
        assert.equal(r1.stale.length + r2.stale.length, 1);
        assert.deepEqual((await n1!.queue.list({ messageId: id })).map((q) => q.id).sort(), applied[0]!.items.map((q) => q.id).sort());
        const left = both.filter((a) => !applied[0]!.settled.includes(a));
        assert.deepEqual((await n2!.spool.get(id))?.pending ?? [], left);
      }
    }));

  test('lease takeover across nodes: the dead node\'s late settle is stale, the new holder\'s applies', () =>
    withNodes(2, async ([n1, n2]) => {
      const ids = Array.from({ length: 20 }, () => uid('M'));
      for (const id of ids) await n1!.spool.accept(message(id));
      const t = Date.now();
      assert.equal((await n1!.spool.claim('n1', 100, 1000, t)).length, 20);
      assert.equal((await n2!.spool.claim('n2', 100, 1000, t + 999)).length, 0, 'live leases');
      const taken = await n2!.spool.claim('n2', 100, 60_000, t + 1000);
      assert.equal(taken.length, 20, 'expired leases are taken over');
      const late = ids.map((id) => commit(id, ['bob@partner.test', 'carol@partner.test'], { owner: 'n1' }));
      const fresh = ids.map((id) => commit(id, ['bob@partner.test', 'carol@partner.test'], { owner: 'n2' }));
      const [r1, r2] = await Promise.all([n1!.spool.settle(late), n2!.spool.settle(fresh)]);
      assert.equal(r1.applied.length, 0);
      assert.equal(r2.applied.length, 20);
      for (const id of ids) assert.equal((await n1!.queue.list({ messageId: id })).length, 2);
    }));

  test('queue races across nodes: concurrent deletes succeed once; a delivery racing a delete is recorded', () =>
    withNodes(2, async ([n1, n2]) => {
      const messageId = uid('M');
      const b = body(messageId);
      const items = Array.from({ length: 30 }, (_, i) => item(messageId, b.id, `r${i}@x.test`));
      await n1!.queue.recordResults([], { bodies: [b], items });
      const deletes = await Promise.all(items.slice(0, 15).flatMap((i) => [n1!.queue.delete(i.id), n2!.queue.delete(i.id)]));
      assert.equal(deletes.filter(Boolean).length, 15, 'each item deleted exactly once');
      const rest = items.slice(15);
      assert.equal((await n1!.queue.claimDue('n1', 100, 60_000, T0)).length, 15);
      const at = T0 + 5;
      await Promise.all(
        rest.flatMap((i) => [
          n1!.queue.recordResults([{ id: i.id, state: 'delivered', delivery: { at, hop: 'smtp://sink', tls: null, response: '250 ok' } }], { bodies: [], items: [] }),
          n2!.queue.delete(i.id),
        ]),
      );
      for (const i of rest) {
        const got = await n2!.queue.get(i.id);
        assert.equal(got?.state, 'delivered', 'what happened is recorded whatever the order');
        assert.equal(got?.attempts, 1);
      }
    }));

  test('runSingleton: one node at a time per name, no waiting, released on finish, failure and death', () =>
    withNodes(3, async ([a, b, c]) => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let runs = 0;
      const long = a!.runSingleton('purge', async () => {
        runs++;
        await gate;
        return 'done by a';
      });
      await sleep(100); // a holds the lock now
      const started = Date.now();
      assert.deepEqual(await b!.runSingleton('purge', async () => runs++), { ran: false, reason: 'running-elsewhere' });
      assert.ok(Date.now() - started < 1000, 'a busy lock is not waited for');
      assert.deepEqual(await b!.runSingleton('crl-refresh', async () => 'other job'), { ran: true, value: 'other job' }, 'names are independent');
      release();
      assert.deepEqual(await long, { ran: true, value: 'done by a' });
      assert.deepEqual(await b!.runSingleton('purge', async () => 'b now'), { ran: true, value: 'b now' });

      // a job that throws releases the lock too
      await assert.rejects(c!.runSingleton('purge', async () => Promise.reject(new Error('boom'))), /boom/);
      assert.deepEqual(await a!.runSingleton('purge', async () => 1), { ran: true, value: 1 });

      // a node that dies while holding the lock (its connections end) releases it
      let hold!: () => void;
      const stuck = c!.runSingleton('purge', () => new Promise<void>((r) => (hold = r)));
      await sleep(100);
      assert.equal((await a!.runSingleton('purge', async () => 1)).ran, false);
      const killed = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database()) and pid <> pg_backend_pid()`.execute(a!.database.kysely);
      assert.ok(killed.rows[0]!.n >= 1);
      hold();
      await stuck.catch(() => undefined);
      assert.deepEqual(await a!.runSingleton('purge', async () => 'after death'), { ran: true, value: 'after death' });
      assert.equal(runs, 1);
    }));

  test('runSingleton with minIntervalMs: the cluster runs the job once per interval', async () => {
    const clock = { now: T0 };
    await withNodes(
      2,
      async ([a, b]) => {
        assert.deepEqual(await a!.runSingleton('purge', async () => 'first', { minIntervalMs: 3_600_000 }), { ran: true, value: 'first' });
        clock.now += 60_000;
        assert.deepEqual(await b!.runSingleton('purge', async () => 'again', { minIntervalMs: 3_600_000 }), { ran: false, reason: 'ran-recently' });
        assert.deepEqual(await b!.runSingleton('purge', async () => 'no interval'), { ran: true, value: 'no interval' });
        clock.now += 3_600_000;
        assert.deepEqual(await b!.runSingleton('purge', async () => 'due', { minIntervalMs: 3_600_000 }), { ran: true, value: 'due' });
        // a failed run is not recorded, so the next node tries again
        clock.now += 3_600_000;
        await assert.rejects(a!.runSingleton('purge', async () => Promise.reject(new Error('db hiccup')), { minIntervalMs: 3_600_000 }));
        assert.equal((await b!.runSingleton('purge', async () => 1, { minIntervalMs: 3_600_000 })).ran, true);
      },
      { now: () => clock.now },
    );
  });

  test('claimNodeName: a live node\'s name cannot be taken twice; it is freed on close and re-taken after a reconnect', () =>
    withNodes(2, async ([a, b], tdb) => {
      await a!.database.claimNodeName('n1');
      const err = await rejectsWith(b!.database.claimNodeName('n1'), 'SP_ERR_CONFIG_INVALID');
      assert.match(err.message, /"n1"/);
      assert.equal(err.context.path, 'node');
      await b!.database.claimNodeName('n2');
      const held = () => onDatabase(tdb.url, async (c) => Number((await c.query<{ n: string }>("select count(*) as n from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())")).rows[0]!.n));
      assert.equal(await held(), 2);
      // the connection holding n1 dies (server restart): the name is taken again by its owner
      await onDatabase(tdb.url, (c) => c.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'sealpost (node)' and pid <> pg_backend_pid()"));
      await sleep(200);
      let again = false;
      for (let i = 0; i < 100 && !again; i++) {
        again = (await held()) === 2;
        if (!again) await sleep(100);
      }
      assert.ok(again, 'both names held again after the reconnect');
      await a!.close();
      const c = await openStores(tdb.url);
      try {
        await c.database.claimNodeName('n1'); // free once its holder closed
        await assert.rejects(b!.database.claimNodeName('n3'), /already claimed/, 'one name per process');
      } finally {
        await c.close();
      }
    }));

  test('server gone (failover window): accepts fail fast with SP_ERR_SPOOL_COMMIT_FAILED (451), claims fail, all recover when it is back', () =>
    withDatabase(async (tdb) => {
      // a TCP proxy in front of the server stands in for the virtual IP of a replicated setup
      const net = await import('node:net');
      const target = new URL(tdb.url);
      const sockets = new Set<import('node:net').Socket>();
      const proxy = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      const port = (proxy.address() as { port: number }).port;
      const viaProxy = new URL(tdb.url);
      viaProxy.port = String(port);
      const stores = createStores(await openDatabase(viaProxy.toString(), { postgres: { poolSize: 3, connectTimeoutMs: 1000, queryTimeoutMs: 2000, onConnectionError: () => undefined } }));
      try {
        await stores.spool.accept(message(uid('M')));
        // down: the listening socket closes and every connection is cut
        await new Promise<void>((r) => {
          proxy.close(() => r());
          for (const s of sockets) s.destroy();
        });
        const started = Date.now();
        const down = await Promise.allSettled(Array.from({ length: 3 }, () => stores.spool.accept(message(uid('M')))));
        assert.ok(down.every((r) => r.status === 'rejected' && (r.reason as { code?: string }).code === 'SP_ERR_SPOOL_COMMIT_FAILED'), JSON.stringify(down.map((r) => r.status)));
        await rejectsWith(stores.spool.claim('n', 10, 60_000, Date.now()), 'SP_ERR_STORE_WRITE_FAILED');
        await rejectsWith(stores.queue.claimDue('n', 10, 60_000, Date.now()), 'SP_ERR_STORE_WRITE_FAILED');
        assert.ok(Date.now() - started < 5000, `failing took ${Date.now() - started} ms`);
        // back (the new primary answers on the same address)
        await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
        await stores.spool.accept(message(uid('M')));
        assert.equal((await stores.spool.claim('n', 10, 60_000, Date.now() + 1000)).length, 2, 'the accepted messages are there, the refused ones are not');
      } finally {
        await stores.close();
        proxy.close();
        for (const s of sockets) s.destroy();
      }
    }));

  test('connections terminated under the stores (a server restart): no crash, accepts recover', () =>
    withNodes(1, async ([node], tdb) => {
      const warnings: string[] = [];
      const stores = createStores(await openDatabase(tdb.url, { postgres: { poolSize: 4, onConnectionError: (e) => warnings.push(e.message) } }));
      try {
        await Promise.all(Array.from({ length: 8 }, () => stores.spool.accept(message(uid('M'))))); // fill the pool
        await onDatabase(tdb.url, (c) => c.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()'));
        await sleep(200);
        const outcomes: string[] = [];
        for (let i = 0; i < 5; i++) {
          const r = await stores.spool.accept(message(uid('M'))).then(
            () => 'ok',
            (e: { code?: string }) => e.code ?? 'other',
          );
          outcomes.push(r);
          if (r === 'ok') break;
        }
        assert.equal(outcomes.at(-1), 'ok', `accepts after the restart: ${outcomes.join(', ')}`);
        assert.ok(outcomes.every((o) => o === 'ok' || o === 'SP_ERR_SPOOL_COMMIT_FAILED'), outcomes.join(', '));
        assert.ok(warnings.length >= 1, 'the dropped idle connections were reported, not thrown');
        assert.equal((await stores.spool.claim('n', 100, 60_000, Date.now() + 1000)).length >= 9, true);
      } finally {
        await stores.close();
      }
      assert.ok(node);
    }));
});
