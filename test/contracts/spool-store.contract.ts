/**
 * Contract suite for SpoolStore (+ the quarantine rows settle writes). Engine-neutral: an engine's
 * test file calls runSpoolStoreContract with a harness factory that gives each test a fresh,
 * empty database. DESIGN §2: 250 only after commit; settle is one transaction; leases expire.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoreOptions } from '../../src/db/index.js';
import { commit, message, rejectsWith, T0, uid, type MakeHarness, type StoreHarness } from './store-fixtures.js';

export function runSpoolStoreContract(name: string, make: MakeHarness): void {
  /** fresh database per test, always cleaned up; `clock` drives the stores' own timestamps */
  const withStores = async (fn: (h: StoreHarness, clock: { now: number }) => Promise<void>, opts: StoreOptions = {}) => {
    const clock = { now: T0 };
    const h = await make({ now: () => clock.now, ...opts });
    try {
      await fn(h, clock);
    } finally {
      await h.cleanup();
    }
  };

  describe(`SpoolStore contract: ${name}`, () => {
    test('accept → claim → settle: queued, quarantined and removed from the spool in one go', () =>
      withStores(async ({ stores }) => {
        const { spool, queue, quarantine } = stores;
        const id = uid('M');
        await spool.accept(message(id, ['bob@partner.test', 'carol@partner.test', 'dave@partner.test']));
        const stored = await spool.get(id);
        assert.ok(stored);
        assert.deepEqual(stored.pending, ['bob@partner.test', 'carol@partner.test', 'dave@partner.test']);
        assert.equal(stored.attempts, 0);
        assert.equal(stored.receivedAt, T0);
        assert.equal(stored.session.tls?.protocol, 'TLSv1.3');
        assert.ok(Buffer.isBuffer(stored.body));
        assert.equal(stored.body.toString('latin1'), `Subject: ${id}\r\n\r\nhello\r\n`);

        const [entry, ...more] = await spool.claim('w1', 10, 60_000, T0);
        assert.equal(more.length, 0);
        assert.equal(entry?.id, id);
        assert.equal(entry?.claims, 1);

        const c = commit(id, ['bob@partner.test', 'carol@partner.test', 'dave@partner.test'], { owner: 'w1', quarantine: ['dave@partner.test'] });
        assert.deepEqual(await spool.settle([c]), { applied: [id], stale: [] });
        assert.equal(await spool.get(id), null, 'fully settled entry leaves the spool');

        const items = await queue.list({ messageId: id });
        assert.deepEqual(items.map((i) => i.recipient).sort(), ['bob@partner.test', 'carol@partner.test']);
        assert.ok(items.every((i) => i.state === 'queued' && i.attempts === 0 && i.bodyId === c.bodies[0]!.id));
        assert.deepEqual(items[0]!.trace, c.items[0]!.trace);
        assert.equal((await queue.getBody(c.bodies[0]!.id))?.toString(), 'encrypted bytes');

        const held = await quarantine.list();
        assert.equal(held.length, 1);
        assert.deepEqual(held[0]!.recipients, ['dave@partner.test']);
        const full = await quarantine.get(held[0]!.id);
        assert.equal(full?.bytes.toString(), 'held');
        assert.equal(full?.trace[0]?.event, 'quarantine');
      }));

    test('100 concurrent accepts are all committed, in far fewer transactions', () =>
      withStores(async ({ stores }) => {
        const ids = Array.from({ length: 100 }, () => uid('M'));
        await Promise.all(ids.map((id) => stores.spool.accept(message(id))));
        const s = stores.stats().accept;
        assert.equal(s.items, 100);
        assert.equal(s.failedCommits, 0);
        assert.ok(s.commits <= 4, `expected grouped commits, got ${s.commits}`);
        assert.ok(s.largestBatch > 1);
        const claimed = await stores.spool.claim('w', 1000, 60_000, T0);
        assert.deepEqual(claimed.map((e) => e.id).sort(), [...ids].sort());
      }));

    test('with maxBatch 1 every accept is its own commit (the counter is honest)', () =>
      withStores(
        async ({ stores }) => {
          await Promise.all(Array.from({ length: 20 }, () => stores.spool.accept(message(uid('M')))));
          assert.equal(stores.stats().accept.commits, 20);
          assert.equal(stores.stats().accept.largestBatch, 1);
        },
        { acceptBatch: { maxBatch: 1 } },
      ));

    test('a batch whose transaction fails rejects every caller in it, and stores none of them', () =>
      withStores(async (h) => {
        const { spool } = h.stores;
        await h.poisonSpoolInserts('POISON');
        const ids = [uid('M'), uid('M'), uid('POISON'), uid('M'), uid('M')];
        const results = await Promise.allSettled(ids.map((id) => spool.accept(message(id))));
        for (const [i, r] of results.entries()) {
          assert.equal(r.status, 'rejected', `caller ${i} must not be acknowledged`);
          const err = (r as PromiseRejectedResult).reason as { code: string; context: { messageId?: string } };
          assert.equal(err.code, 'SP_ERR_SPOOL_COMMIT_FAILED');
          assert.equal(err.context.messageId, ids[i]);
        }
        for (const id of ids) assert.equal(await spool.get(id), null, 'rolled back');
        assert.equal(h.stores.stats().accept.failedCommits, 1);
        // the store keeps working for the next batch
        const ok = uid('M');
        await spool.accept(message(ok));
        assert.ok(await spool.get(ok));
      }));

    test('accept after close rejects with SP_ERR_SPOOL_COMMIT_FAILED (never a silent 250)', () =>
      withStores(async (h) => {
        await h.stores.close();
        const id = uid('M');
        const err = await rejectsWith(h.stores.spool.accept(message(id)), 'SP_ERR_SPOOL_COMMIT_FAILED');
        assert.equal(err.context.messageId, id);
      }));

    test('accepts in flight when close() is called are committed before the database closes', () =>
      withStores(async (h) => {
        const ids = Array.from({ length: 10 }, () => uid('M'));
        const pending = ids.map((id) => h.stores.spool.accept(message(id)));
        await h.stores.close();
        await Promise.all(pending);
        const again = await h.reopen();
        for (const id of ids) assert.ok(await again.spool.get(id));
      }));

    test('leases: a claimed entry is not claimable by another owner until the lease expires', () =>
      withStores(async ({ stores }) => {
        const { spool, queue } = stores;
        const id = uid('M');
        await spool.accept(message(id));
        assert.equal((await spool.claim('A', 10, 30_000, T0)).length, 1);
        assert.equal((await spool.claim('B', 10, 30_000, T0 + 1000)).length, 0, 'live lease');
        assert.equal((await spool.claim('A', 10, 30_000, T0 + 29_999)).length, 0, 'even the same owner does not double-claim');
        assert.equal(await spool.nextDueAt(), T0 + 30_000, 'the scheduler wakes when the lease ends');
        const taken = await spool.claim('B', 10, 30_000, T0 + 30_000);
        assert.equal(taken[0]?.id, id, 'expired lease: claimable again');
        assert.equal(taken[0]?.claims, 2);

        // A lost its lease: its late commit is refused, B's is applied; no duplicate queue items
        const late = await spool.settle([commit(id, ['bob@partner.test', 'carol@partner.test'], { owner: 'A' })]);
        assert.deepEqual(late, { applied: [], stale: [id] });
        assert.equal((await queue.list({ messageId: id })).length, 0);
        assert.deepEqual(await spool.settle([commit(id, ['bob@partner.test', 'carol@partner.test'], { owner: 'B' })]), { applied: [id], stale: [] });
        assert.equal((await queue.list({ messageId: id })).length, 2);
      }));

    test('settle partial: settled recipients are queued, the rest deferred with reason and attempt count', () =>
      withStores(async ({ stores }) => {
        const { spool, queue } = stores;
        const id = uid('M');
        await spool.accept(message(id));
        await spool.claim('w', 10, 60_000, T0);
        await spool.settle([commit(id, ['bob@partner.test'], { owner: 'w', deferUntil: T0 + 600_000 })]);
        const e = await spool.get(id);
        assert.ok(e);
        assert.deepEqual(e.pending, ['carol@partner.test']);
        assert.equal(e.attempts, 1);
        assert.equal(e.nextAttemptAt, T0 + 600_000);
        assert.equal(e.lastError, 'policy lookup timed out');
        assert.equal(e.trace[0]?.detail, 'smime', 'trace replaced by the commit');
        assert.deepEqual((await queue.list({ messageId: id })).map((i) => i.recipient), ['bob@partner.test']);
        assert.equal(await spool.nextDueAt(), T0 + 600_000, 'lease released: due at the deferral');
        assert.equal((await spool.claim('w2', 10, 60_000, T0 + 599_999)).length, 0, 'not due yet');
        const again = await spool.claim('w2', 10, 60_000, T0 + 600_000);
        assert.deepEqual(again[0]?.pending, ['carol@partner.test']);
        await spool.settle([commit(id, ['carol@partner.test'], { owner: 'w2' })]);
        assert.equal(await spool.get(id), null);
        assert.equal((await queue.list({ messageId: id })).length, 2);
      }));

    test('settle without a deferral but with recipients left retries after defaultRetryMs', () =>
      withStores(
        async ({ stores }, clock) => {
          const id = uid('M');
          await stores.spool.accept(message(id));
          await stores.spool.claim('w', 10, 60_000, T0);
          clock.now = T0 + 5;
          await stores.spool.settle([commit(id, ['bob@partner.test'], { owner: 'w' })]);
          const e = await stores.spool.get(id);
          assert.equal(e?.nextAttemptAt, T0 + 5 + 7_000);
          assert.match(e?.lastError ?? '', /without a deferral/);
        },
        { defaultRetryMs: 7_000 },
      ));

    test('settle is idempotent: the same commit twice queues once (with and without owner)', () =>
      withStores(async ({ stores }) => {
        const { spool, queue, quarantine } = stores;
        const a = uid('M');
        await spool.accept(message(a));
        await spool.claim('w', 10, 60_000, T0);
        const ca = commit(a, ['bob@partner.test', 'carol@partner.test'], { owner: 'w', quarantine: ['carol@partner.test'] });
        // twice in the same tick (one group commit) and once more afterwards
        const [r1, r2] = await Promise.all([spool.settle([ca]), spool.settle([ca])]);
        assert.deepEqual([...r1.applied, ...r2.applied], [a]);
        assert.deepEqual([...r1.stale, ...r2.stale], [a]);
        assert.deepEqual(await spool.settle([ca]), { applied: [], stale: [a] });
        assert.equal((await queue.list({ messageId: a })).length, 1);
        assert.equal((await quarantine.list()).length, 1);

        // no owner (a tool acting without a lease): a partial commit replayed keeps one copy of each item
        const b = uid('M');
        await spool.accept(message(b));
        const cb = commit(b, ['bob@partner.test'], { deferUntil: T0 + 1000 });
        await spool.settle([cb]);
        await spool.settle([cb]);
        assert.equal((await queue.list({ messageId: b })).length, 1);
        assert.deepEqual((await spool.get(b))?.pending, ['carol@partner.test']);
      }));

    test('settle of an entry deleted meanwhile is stale and queues nothing', () =>
      withStores(async ({ stores }) => {
        const id = uid('M');
        await stores.spool.accept(message(id));
        await stores.spool.claim('w', 10, 60_000, T0);
        assert.equal(await stores.spool.delete(id), true);
        assert.deepEqual(await stores.spool.settle([commit(id, ['bob@partner.test', 'carol@partner.test'], { owner: 'w' })]), { applied: [], stale: [id] });
        assert.equal((await stores.queue.list({ messageId: id })).length, 0);
      }));

    test('a settle batch is one transaction: a failing commit applies nothing of its own', () =>
      withStores(async ({ stores }) => {
        const { spool, queue } = stores;
        const good = uid('M');
        const bad = uid('M');
        await spool.accept(message(good));
        await spool.accept(message(bad));
        await spool.claim('w', 10, 60_000, T0);
        const broken = commit(bad, ['bob@partner.test', 'carol@partner.test'], { owner: 'w' });
        // an item pointing at a body that exists nowhere: the foreign key fails inside the transaction
        const badCommit = { ...broken, bodies: [], items: broken.items.map((i) => ({ ...i, bodyId: 'NO-SUCH-BODY' })) };
        const [okResult, badResult] = await Promise.allSettled([spool.settle([commit(good, ['bob@partner.test', 'carol@partner.test'], { owner: 'w' })]), spool.settle([badCommit])]);
        assert.equal(okResult.status, 'fulfilled', 'a neighbour in the same group commit is not failed by it');
        assert.equal(badResult.status, 'rejected');
        assert.equal(((badResult as PromiseRejectedResult).reason as { code: string }).code, 'SP_ERR_STORE_WRITE_FAILED');
        const still = await spool.get(bad);
        assert.deepEqual(still?.pending, ['bob@partner.test', 'carol@partner.test'], 'entry untouched');
        assert.equal((await queue.list({ messageId: bad })).length, 0);
        assert.equal(await spool.get(good), null);
      }));

    test('retry, delete, list, nextDueAt, releaseLeases', () =>
      withStores(async ({ stores }, clock) => {
        const { spool } = stores;
        const [a, b] = [uid('M'), uid('M')];
        await spool.accept(message(a));
        clock.now = T0 + 10;
        await spool.accept(message(b));
        assert.deepEqual((await spool.list()).map((e) => e.id), [a, b]);
        assert.deepEqual((await spool.list(1)).map((e) => e.id), [a]);
        assert.equal(await spool.nextDueAt(), T0);

        await spool.claim('w', 10, 60_000, T0 + 10);
        await spool.settle([commit(a, ['bob@partner.test'], { owner: 'w', deferUntil: T0 + 3_600_000 })]);
        assert.equal(await spool.nextDueAt(), T0 + 10 + 60_000, 'b is leased until then');
        assert.equal(await spool.releaseLeases('w'), 1);
        assert.equal(await spool.releaseLeases('w'), 0);
        assert.equal(await spool.nextDueAt(), T0 + 10);

        assert.equal(await spool.retry(a, T0 + 20), true);
        assert.equal((await spool.get(a))?.nextAttemptAt, T0 + 20);
        assert.equal(await spool.retry('nope', T0), false);
        assert.equal(await spool.delete(b), true);
        assert.equal(await spool.delete(b), false);
        assert.deepEqual((await spool.list()).map((e) => e.id), [a]);
        await spool.delete(a);
        assert.equal(await spool.nextDueAt(), null);
        assert.deepEqual(await spool.claim('w', 0, 1000, T0), []);
      }));

    test('a corrupt row is a SealpostError naming it, and does not stop claims of the others', () => {
      const reported: { code: string; context: Record<string, unknown> }[] = [];
      return withStores(
        async ({ stores }) => {
          const { spool } = stores;
          const [good, bad] = [uid('M'), uid('M')];
          await spool.accept(message(good));
          await spool.accept(message(bad));
          // damage one JSON column behind the store's back
          await stores.database.kysely.updateTable('spool_entries').set({ envelope: '{"mailFrom": 42' }).where('id', '=', bad).execute();
          const err = await rejectsWith(spool.get(bad), 'SP_ERR_STORE_CORRUPT');
          assert.equal(err.context.id, bad);
          assert.equal(err.context.column, 'envelope');
          assert.match(err.message, new RegExp(bad));

          const claimed = await spool.claim('w', 10, 60_000, T0);
          assert.deepEqual(claimed.map((e) => e.id), [good], 'the readable entry is still handed out');
          assert.equal(reported.length, 1);
          assert.equal(reported[0]?.context.id, bad);
          assert.deepEqual(await spool.claim('x', 10, 60_000, T0 + 1000), [], 'the damaged one is set aside, not offered again at once');
          assert.deepEqual((await spool.list()).map((e) => e.id), [good], 'list skips it too');
          assert.equal(reported.length, 2);
        },
        { onCorruptRow: (e) => reported.push(e) },
      );
    });

    test('durability: everything is there after close and reopen', () =>
      withStores(async (h) => {
        const { spool } = h.stores;
        const [a, b] = [uid('M'), uid('M')];
        await spool.accept(message(a));
        await spool.accept(message(b, ['x@partner.test'], 'binary \u00ff\u0000 body'));
        await spool.claim('w', 1, 60_000, T0);
        await spool.settle([commit(a, ['bob@partner.test'], { owner: 'w', deferUntil: T0 + 5000, quarantine: [] })]);
        const c = commit(a, ['carol@partner.test'], { quarantine: ['carol@partner.test'] });
        await spool.settle([c]);
        const again = await h.reopen();
        assert.equal(await again.spool.get(a), null);
        const eb = await again.spool.get(b);
        assert.equal(eb?.body.toString('latin1'), 'binary \u00ff\u0000 body');
        assert.equal((await again.queue.list({ messageId: a })).length, 1);
        assert.equal((await again.quarantine.list()).length, 1);
        assert.equal((await again.spool.claim('w2', 10, 1000, T0)).length, 1);
      }));
  });
}
