/**
 * Cluster mode on the real gateway processes (DESIGN §2 "several nodes share it"; issue 3):
 * three `sealpost start` children on ONE throw-away PostgreSQL database, each with its own node
 * name and SMTP port, all relaying to one sink. Clients spread a few hundred uniquely tokened
 * messages over the three nodes; one node is SIGKILLed mid-run while it holds leases and is not
 * restarted. Then:
 * - every message that got a 250 (from any node, the dead one included) arrives at the sink;
 * - the dead node's leased spool entries and queue items are taken over by the others once the
 *   (short, test-configured) leases expire;
 * - duplicates are counted and may only be deliveries the dead node had in flight (queue items
 *   it held leased at the moment of the kill); the survivors never deliver anything twice;
 * - the survivors stop gracefully.
 * Needs PostgreSQL (scripts/test.sh starts it); without it the test FAILS, it is not skipped.
 * SEALPOST_KEEP_TMP=1 keeps the nodes' directories (config, stdout.log, stderr.log); they are
 * kept and named when the test fails.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { test } from 'node:test';
import { GatewayProcess } from '../helpers/gateway-process.js';
import { createTestDatabase, onDatabase, requirePostgres, type TestDatabase } from '../helpers/postgres.js';
import { startSink, type Sink } from '../helpers/sink.js';
import type { RawSmtpClient } from '../helpers/smtp-client.js';
import { delivered, openSession, sleep, tokenedMessage, transaction, until } from '../helpers/tokened-mail.js';


/**
 * A slow road to the sink for the victim only: connections and every reply are delayed, so its
 * deliveries take a while and it always holds queue leases when it is killed (a fast node may
 * finish everything between two looks at the database).
 */
async function slowProxy(targetPort: number, delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => undefined);
    client.on('close', () => sockets.delete(client));
    setTimeout(() => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      upstream.on('close', () => sockets.delete(upstream));
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      // every reply arrives late (equal delays keep the order), so each transaction is slow
      upstream.on('data', (chunk: Buffer) => setTimeout(() => client.writable && client.write(chunk), delayMs));
      upstream.on('end', () => setTimeout(() => client.end(), delayMs));
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
const TOKEN_HEADER = /^X-Test-Token: (\S+)\r?$/im;interface Leased {
  /** spool entries (message ids) leased by the node */
  readonly spool: string[];
  /** active queue items leased by the node: id and the test token inside the body */
  readonly queue: Array<{ id: string; token: string | null }>;
}

async function leasedBy(url: string, node: string): Promise<Leased> {
  return onDatabase(url, async (c) => {
    const spool = await c.query<{ id: string }>('select id from spool_entries where lease_owner = $1', [node]);
    const queue = await c.query<{ id: string; token: string | null }>(
      `select i.id, substring(encode(b.bytes, 'escape') from 'X-Test-Token: ([^\\r\\n]+)') as token
         from queue_items i join queue_bodies b on b.id = i.body_id
        where i.lease_owner = $1 and i.state in ('queued', 'deferred')`,
      [node],
    );
    return { spool: spool.rows.map((r) => r.id), queue: queue.rows };
  });
}

test('three nodes on one PostgreSQL database: a node killed mid-run loses nothing, its leased work is taken over', { timeout: 120_000 }, async (t) => {
  const TARGET_ACKED = 300;
  const KILL_AFTER_ACKED = 120;
  const CLIENTS = 9;
  const LEASES = { spool: '3s', queue: '4s' };
  const SEND_DEADLINE_MS = 45_000;
  const DELIVERY_DEADLINE_MS = 40_000;
  const started = Date.now();

  const { version } = await requirePostgres();
  t.diagnostic(`PostgreSQL ${version}`);
  let tdb: TestDatabase | undefined;
  let sink: Sink | undefined;
  const nodes: GatewayProcess[] = [];
  let failed = true;
  t.after(async () => {
    const keep = failed || process.env.SEALPOST_KEEP_TMP === '1';
    for (const n of nodes) {
      if (keep) t.diagnostic(`node dir kept: ${n.dir}`);
      await n.dispose(keep);
    }
    await sink?.close();
    if (keep && tdb) t.diagnostic(`database ${tdb.name} is dropped; its URL was ${tdb.url}`);
    await tdb?.drop();
  });

  tdb = await createTestDatabase();
  sink = await startSink();
  // shared configuration of the cluster: the database and the gateway secret (DESIGN §5 marker)
  const secret = randomBytes(32).toString('hex');
  const names = ['n1', 'n2', 'n3'];
  const slow = await slowProxy(sink.port, 60);
  t.after(() => slow.close());
  for (const name of names) {
    nodes.push(
      await GatewayProcess.create({
        hopPort: name === 'n2' ? slow.port : sink.port,
        retry: ['500ms'],
        extraYaml: [`node: ${name}`, `storage: { url: "${tdb.url}", poolSize: 5, leases: { spool: ${LEASES.spool}, queue: ${LEASES.queue} } }`, `secrets: { gatewaySecret: "${secret}" }`].join('\n'),
      }),
    );
  }
  // all three at once: they migrate the fresh database concurrently
  await Promise.all(nodes.map((n) => n.start(30_000)));
  // a fourth process configured with a name already in use refuses to start
  const twin = await GatewayProcess.create({ hopPort: sink.port, extraYaml: [`node: n1`, `storage: { url: "${tdb.url}", poolSize: 2 }`, `secrets: { gatewaySecret: "${secret}" }`].join('\n') });
  try {
    await assert.rejects(twin.start(15_000), /exited before it was ready/);
    assert.match(await twin.logTail(20), /already uses the node name "n1"/);
  } finally {
    await twin.dispose();
  }
  const victim = nodes[1]!;
  const victimName = names[1]!;
  const survivors = [nodes[0]!, nodes[2]!];

  const acked = new Map<string, number>(); // token → node index that answered 250
  const notAcked = new Map<string, string>();
  let sequence = 0;
  let killed = false;
  let frozen: Leased | null = null;
  let killedAtAcked = 0;
  const sendDeadline = Date.now() + SEND_DEADLINE_MS;
  const done = (): boolean => (acked.size >= TARGET_ACKED && killed) || Date.now() > sendDeadline;

  const killer = (async () => {
    while (acked.size < KILL_AFTER_ACKED && Date.now() < sendDeadline) await sleep(5);
    // kill while the victim holds leases, so there is something to take over
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const now = await leasedBy(tdb!.url, victimName);
      if (now.spool.length + now.queue.length > 0) break;
      await sleep(5);
    }
    const exit = await victim.kill('SIGKILL');
    assert.equal(exit?.signal, 'SIGKILL');
    killed = true;
    killedAtAcked = acked.size;
    // A COMMIT the victim sent just before dying may still be finishing on the server: wait until
    // its sessions are gone, then its leases are frozen until they expire.
    await until(async () => (await onDatabase(tdb!.url, (c) => c.query('select 1 from pg_stat_activity where application_name = $1', [`sealpost ${victimName}`]))).rowCount === 0, 5000, 20);
    frozen = await leasedBy(tdb!.url, victimName);
  })();

  const client = async (n: number): Promise<void> => {
    let target = n % nodes.length; // the clients are spread over the nodes, like a load balancer does
    let session: RawSmtpClient | null = null;
    let left = 0;
    while (!done()) {
      if (!session) {
        try {
          session = await openSession(nodes[target]!.port);
          left = 1 + (sequence % 15);
        } catch {
          target = (target + 1) % nodes.length; // that node is gone: try the next
          await sleep(20);
          continue;
        }
      }
      const token = `c${n}-${++sequence}-${target}`;
      const to = sequence % 4 === 0 ? `carol${n}@example.test` : `bob${n}@elsewhere.test`;
      let outcome: string;
      try {
        const code = await transaction(session, to, tokenedMessage(token, to, 'cluster test'));
        outcome = code === 250 ? 'ok' : `reply ${code}`;
      } catch (err) {
        outcome = `error: ${(err as Error).message.slice(0, 60)}`;
      }
      if (outcome === 'ok') acked.set(token, target);
      else {
        notAcked.set(token, outcome);
        await session.close();
        session = null;
        continue;
      }
      if (--left <= 0) {
        session.write('QUIT\r\n');
        await session.reply(2000).catch(() => undefined);
        await session.close();
        session = null;
        target = (target + 1) % nodes.length;
      }
    }
    await session?.close();
  };

  await Promise.all([killer, ...Array.from({ length: CLIENTS }, (_, i) => client(i))]);
  const sendMs = Date.now() - started;
  assert.ok(killed, 'the victim was not killed');
  assert.ok(acked.size >= TARGET_ACKED, `only ${acked.size} of ${TARGET_ACKED} acknowledged within ${SEND_DEADLINE_MS} ms\n${await survivors[0]!.logTail(8)}`);

  // Done when every acknowledged token arrived AND the database holds no unfinished work: a
  // delivery the victim made but did not record is still leased to it and is made again (the
  // duplicate we count) only after its lease expires.
  const unfinished = () =>
    onDatabase(tdb!.url, async (c) => ({
      spool: Number((await c.query<{ n: string }>('select count(*) as n from spool_entries')).rows[0]!.n),
      active: Number((await c.query<{ n: string }>("select count(*) as n from queue_items where state in ('queued', 'deferred')")).rows[0]!.n),
    }));
  const waitStart = Date.now();
  let arrived = false;
  await until(async () => {
    const got = delivered(sink!);
    arrived = [...acked.keys()].every((token) => got.has(token));
    if (!arrived) return false;
    const left = await unfinished();
    return left.spool === 0 && left.active === 0;
  }, DELIVERY_DEADLINE_MS, 200);
  const waitedMs = Date.now() - waitStart;

  const got = delivered(sink);
  const missing = [...acked.keys()].filter((token) => !got.has(token));
  const dupTokens = [...got].filter(([, copies]) => copies > 1).map(([token]) => token);
  const duplicates = [...got.values()].reduce((sum, copies) => sum + copies - 1, 0);
  const strangers = [...got.keys()].filter((token) => !acked.has(token) && !notAcked.has(token));
  const leased: Leased = frozen ?? { spool: [], queue: [] };
  const inFlightTokens = new Set(leased.queue.map((q) => q.token).filter((x): x is string => x !== null));
  const ackedPerNode = names.map((_, i) => [...acked.values()].filter((n) => n === i).length);

  // who did the work: per node, messages accepted, queued by its pipeline, deliveries it made
  const perNode = await Promise.all(
    nodes.map(async (n) => {
      const ev = await n.events();
      const count = (e: string) => ev.filter((x) => x.event === e).length;
      return { accepted: count('receive.message.accepted'), queued: count('pipeline.queued'), delivered: count('queue.delivery.delivered'), queuedIds: new Set(ev.filter((x) => x.event === 'pipeline.queued').map((x) => String(x.messageId))), deliveredIds: new Set(ev.filter((x) => x.event === 'queue.delivery.delivered').map((x) => String(x.queueId))) };
    }),
  );
  const survivorStats = [perNode[0]!, perNode[2]!];
  const spoolTakenOver = leased.spool.filter((id) => survivorStats.some((s) => s.queuedIds.has(id))).length;
  const queueTakenOver = leased.queue.filter((q) => survivorStats.some((s) => s.deliveredIds.has(q.id))).length;
  const notTaken = leased.queue.filter((q) => !survivorStats.some((s) => s.deliveredIds.has(q.id)));
  if (notTaken.length > 0) {
    const rows = await onDatabase(tdb.url, async (c) => (await c.query("select id, state, attempts, lease_owner, last_response, finished_at from queue_items where id = any($1)", [notTaken.map((q) => q.id)])).rows);
    t.diagnostic(`queue items held by ${victimName} that no survivor delivered: ${JSON.stringify(rows)}; victim delivered-events for them: ${notTaken.filter((q) => perNode[1]!.deliveredIds.has(q.id)).length}`);
  }
  const left = await unfinished();

  t.diagnostic(`acknowledged (250): ${acked.size} — per node ${names.map((name, i) => `${name} ${ackedPerNode[i]}`).join(', ')}; not acknowledged: ${notAcked.size}`);
  t.diagnostic(`${victimName} SIGKILLed after ${killedAtAcked} acknowledgements, holding ${leased.spool.length} spool entries and ${leased.queue.length} queue items (leases ${LEASES.spool} / ${LEASES.queue})`);
  t.diagnostic(`taken over by the survivors: ${spoolTakenOver}/${leased.spool.length} spool entries, ${queueTakenOver}/${leased.queue.length} queue items`);
  t.diagnostic(`per node accepted/queued/delivered: ${names.map((name, i) => `${name} ${perNode[i]!.accepted}/${perNode[i]!.queued}/${perNode[i]!.delivered}`).join(', ')}`);
  t.diagnostic(`delivered: ${got.size} tokens in ${sink.messages.length} messages; duplicates: ${duplicates} (${dupTokens.join(', ') || 'none'}); bound = queue items in flight on ${victimName}: ${leased.queue.length}`);
  t.diagnostic(`sending took ${sendMs} ms, waited ${waitedMs} ms for the last deliveries; left in the database: ${left.spool} spool entries, ${left.active} active queue items`);

  assert.deepEqual(strangers, [], 'the sink received messages nobody sent');
  assert.ok(arrived && missing.length === 0, `${missing.length} acknowledged messages never arrived, e.g. ${missing.slice(0, 5).join(', ')}\n${await survivors[0]!.logTail(8)}`);
  assert.ok(leased.spool.length + leased.queue.length > 0, 'the victim held no leases when it was killed: nothing was taken over');
  assert.equal(spoolTakenOver, leased.spool.length, 'every spool entry the victim held was run by a survivor');
  assert.equal(queueTakenOver, leased.queue.length, 'every delivery the victim held was made by a survivor');
  assert.ok(duplicates <= leased.queue.length, `${duplicates} duplicates, but only ${leased.queue.length} deliveries were in flight on the killed node`);
  for (const token of dupTokens) assert.ok(inFlightTokens.has(token), `${token} was delivered twice but was not in flight on the killed node`);
  assert.ok(survivorStats.every((s) => s.accepted > 0 && s.delivered > 0), 'both survivors did work');
  assert.deepEqual(left, { spool: 0, active: 0 }, 'nothing left behind');

  for (const n of survivors) {
    const exit = await n.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `graceful stop: ${JSON.stringify(exit)}\n${await n.logTail(8)}`);
  }
  t.diagnostic(`total ${Date.now() - started} ms`);
  failed = false;
});
