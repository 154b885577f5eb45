/**
 * Contract suite for QueueStore. Engine-neutral: an engine's test file calls runQueueStoreContract
 * with a harness factory giving each test a fresh, empty database. Items are seeded through
 * recordResults' `generated` (the same path DSNs take) so the suite needs no engine internals.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoreOptions } from '../../src/db/index.js';
import type { DeliveryRecord, NewQueueBody, NewQueueItem } from '../../src/queue/types.js';
import { body, item, rejectsWith, T0, uid, type MakeHarness, type StoreHarness } from './store-fixtures.js';

const delivery = (at: number, response = '250 2.0.0 Ok: queued as ABC'): DeliveryRecord => ({ at, hop: 'smtp://127.0.0.1:10026', remote: '127.0.0.1', tls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', verified: false }, response });

export function runQueueStoreContract(name: string, make: MakeHarness): void {
  const withStores = async (fn: (h: StoreHarness, clock: { now: number }) => Promise<void>, opts: StoreOptions = {}) => {
    const clock = { now: T0 };
    const h = await make({ now: () => clock.now, ...opts });
    try {
      await fn(h, clock);
    } finally {
      await h.cleanup();
    }
  };
  /** one body shared by items for the given recipients, each with its own due time */
  const seed = async (h: StoreHarness, due: Record<string, number>): Promise<{ b: NewQueueBody; items: NewQueueItem[] }> => {
    const messageId = uid('M');
    const b = body(messageId);
    const items = Object.entries(due).map(([rcpt, at]) => item(messageId, b.id, rcpt, { nextAttemptAt: at }));
    await h.stores.queue.recordResults([], { bodies: [b], items });
    return { b, items };
  };

  describe(`QueueStore contract: ${name}`, () => {
    test('claimDue: only due items, earliest first, at most limit', () =>
      withStores(async (h) => {
        const { items } = await seed(h, { 'late@x.test': T0 + 500, 'first@x.test': T0 - 100, 'second@x.test': T0, 'future@x.test': T0 + 10_000 });
        const byRcpt = (r: string) => items.find((i) => i.recipient === r)!.id;
        const claimed = await h.stores.queue.claimDue('d1', 2, 60_000, T0 + 500);
        assert.deepEqual(claimed.map((i) => i.recipient), ['first@x.test', 'second@x.test']);
        assert.ok(claimed.every((i) => i.state === 'queued' && i.attempts === 0));
        const rest = await h.stores.queue.claimDue('d2', 10, 60_000, T0 + 500);
        assert.deepEqual(rest.map((i) => i.id), [byRcpt('late@x.test')], 'future item not due, leased ones not offered');
        assert.equal((await h.stores.queue.getBody(claimed[0]!.bodyId))?.toString(), 'encrypted bytes');
        assert.equal(await h.stores.queue.getBody('nope'), null);
      }));

    test('leases: not claimable by another worker until expiry; releaseLeases gives them back', () =>
      withStores(async (h) => {
        await seed(h, { 'a@x.test': T0 });
        const { queue } = h.stores;
        assert.equal((await queue.claimDue('d1', 10, 30_000, T0)).length, 1);
        assert.equal((await queue.claimDue('d2', 10, 30_000, T0 + 29_999)).length, 0);
        assert.equal(await queue.nextDueAt(), T0 + 30_000);
        const again = await queue.claimDue('d2', 10, 30_000, T0 + 30_000);
        assert.equal(again.length, 1, 'crashed worker: claimable after lease_until');
        assert.equal(await queue.releaseLeases('d1'), 0, 'd1 no longer holds it');
        assert.equal(await queue.releaseLeases('d2'), 1);
        assert.equal((await queue.claimDue('d3', 10, 30_000, T0 + 30_001)).length, 1);
      }));

    test('recordResults: delivered, deferred, bounced with its DSN, in one transaction', () =>
      withStores(async (h, clock) => {
        const { queue } = h.stores;
        const { items } = await seed(h, { 'ok@x.test': T0, 'later@x.test': T0, 'nope@x.test': T0 });
        const [ok, later, nope] = items as [NewQueueItem, NewQueueItem, NewQueueItem];
        await queue.claimDue('d', 10, 60_000, T0);
        clock.now = T0 + 2000;
        const dsnBody = body(nope.messageId, 'DSN bytes');
        const dsn = item(nope.messageId, dsnBody.id, 'alice@example.test', { kind: 'dsn', sender: '', direction: 'inbound', route: 'inbound', nextAttemptAt: T0 + 2000 });
        await queue.recordResults(
          [
            { id: ok.id, state: 'delivered', delivery: delivery(T0 + 1000) },
            { id: later.id, state: 'deferred', nextAttemptAt: T0 + 300_000, response: '451 4.7.1 try later', delivery: delivery(T0 + 1000, '451 4.7.1 try later') },
            { id: nope.id, state: 'bounced', response: '550 5.1.1 no such user', delivery: null },
          ],
          { bodies: [dsnBody], items: [dsn] },
        );
        const got = async (id: string) => (await queue.get(id))!;
        assert.equal((await got(ok.id)).state, 'delivered');
        assert.equal((await got(ok.id)).attempts, 1);
        assert.equal((await got(ok.id)).lastResponse, '250 2.0.0 Ok: queued as ABC');
        assert.deepEqual((await got(ok.id)).lastDelivery, delivery(T0 + 1000));
        assert.equal((await got(later.id)).state, 'deferred');
        assert.equal((await got(later.id)).nextAttemptAt, T0 + 300_000);
        assert.equal((await got(later.id)).lastResponse, '451 4.7.1 try later');
        assert.equal((await got(nope.id)).state, 'bounced');
        assert.equal((await got(nope.id)).lastDelivery, null);
        const d = await got(dsn.id);
        assert.equal(d.kind, 'dsn');
        assert.equal(d.sender, '');
        assert.equal(d.state, 'queued');

        // leases cleared: the DSN is due now, the deferral at its time; a second attempt counts
        const next = await queue.claimDue('d', 10, 3_600_000, T0 + 2000);
        assert.deepEqual(next.map((i) => i.id), [dsn.id]);
        assert.equal((await queue.getBody(dsnBody.id))?.toString(), 'DSN bytes');
        const retry = await queue.claimDue('d', 10, 60_000, T0 + 300_000);
        assert.deepEqual(retry.map((i) => i.id), [later.id]);
        await queue.recordResults([{ id: later.id, state: 'expired', response: 'gave up', delivery: null }], { bodies: [], items: [] });
        assert.equal((await got(later.id)).attempts, 2);
        assert.equal((await got(later.id)).state, 'expired');
        assert.deepEqual((await got(later.id)).lastDelivery, delivery(T0 + 1000, '451 4.7.1 try later'), 'a null delivery keeps the last one');
      }));

    test('recordResults is atomic: a failing generated item leaves the results unapplied', () =>
      withStores(async (h) => {
        const { queue } = h.stores;
        const { items } = await seed(h, { 'a@x.test': T0 });
        await queue.claimDue('d', 10, 60_000, T0);
        const orphan = item(items[0]!.messageId, 'NO-SUCH-BODY', 'alice@example.test', { kind: 'dsn', sender: '' });
        await rejectsWith(queue.recordResults([{ id: items[0]!.id, state: 'bounced', response: '550', delivery: null }], { bodies: [], items: [orphan] }), 'SP_ERR_STORE_WRITE_FAILED');
        const still = await queue.get(items[0]!.id);
        assert.equal(still?.state, 'queued');
        assert.equal(still?.attempts, 0);
        assert.equal(await queue.get(orphan.id), null);
      }));

    test('an operator delete wins over a late deferral; a delivery is still recorded', () =>
      withStores(async (h) => {
        const { queue } = h.stores;
        const { items } = await seed(h, { 'a@x.test': T0, 'b@x.test': T0 });
        const [a, b] = items as [NewQueueItem, NewQueueItem];
        await queue.claimDue('d', 10, 60_000, T0);
        assert.equal(await queue.delete(a.id), true);
        assert.equal(await queue.delete(b.id), true);
        await queue.recordResults(
          [
            { id: a.id, state: 'deferred', nextAttemptAt: T0 + 1000, response: '451', delivery: null },
            { id: b.id, state: 'delivered', delivery: delivery(T0 + 10) },
          ],
          { bodies: [], items: [] },
        );
        assert.equal((await queue.get(a.id))?.state, 'deleted');
        assert.equal((await queue.get(b.id))?.state, 'delivered');
        assert.equal((await queue.claimDue('d', 10, 60_000, T0 + 100_000)).length, 0);
      }));

    test('retry and delete only act on active items', () =>
      withStores(async (h) => {
        const { queue } = h.stores;
        const { items } = await seed(h, { 'a@x.test': T0 + 999_999, 'b@x.test': T0 });
        const [a, b] = items as [NewQueueItem, NewQueueItem];
        assert.equal(await queue.retry(a.id, T0 + 5), true);
        assert.equal((await queue.get(a.id))?.nextAttemptAt, T0 + 5);
        assert.equal(await queue.retry('unknown', T0), false);
        await queue.claimDue('d', 10, 60_000, T0);
        await queue.recordResults([{ id: b.id, state: 'delivered', delivery: delivery(T0) }], { bodies: [], items: [] });
        assert.equal(await queue.retry(b.id, T0), false, 'final');
        assert.equal(await queue.delete(b.id), false, 'final');
        assert.equal(await queue.delete(a.id), true);
        assert.equal(await queue.delete(a.id), false);
        assert.equal(await queue.nextDueAt(), null, 'no active item left');
      }));

    test('list filters by state and message, in creation order, with a limit', () =>
      withStores(async (h) => {
        const { queue } = h.stores;
        const one = await seed(h, { 'a@x.test': T0, 'b@x.test': T0 });
        const two = await seed(h, { 'c@x.test': T0 });
        await queue.delete(one.items[1]!.id);
        assert.equal((await queue.list()).length, 3);
        assert.deepEqual((await queue.list({ messageId: one.b.messageId })).map((i) => i.recipient).sort(), ['a@x.test', 'b@x.test']);
        assert.deepEqual((await queue.list({ states: ['deleted'] })).map((i) => i.id), [one.items[1]!.id]);
        assert.deepEqual((await queue.list({ states: ['queued', 'deferred'], messageId: two.b.messageId })).map((i) => i.id), [two.items[0]!.id]);
        assert.equal((await queue.list({ limit: 1 })).length, 1);
        assert.deepEqual(await queue.list({ states: [] }), []);
      }));

    test('nextDueAt is the earliest active item', () =>
      withStores(async (h) => {
        assert.equal(await h.stores.queue.nextDueAt(), null);
        await seed(h, { 'a@x.test': T0 + 50, 'b@x.test': T0 + 20 });
        assert.equal(await h.stores.queue.nextDueAt(), T0 + 20);
      }));

    test('purge removes final items finished before the cutoff and bodies nobody references', () =>
      withStores(async (h, clock) => {
        const { queue } = h.stores;
        const old = await seed(h, { 'a@x.test': T0, 'b@x.test': T0 });
        const shared = await seed(h, { 'c@x.test': T0, 'd@x.test': T0 });
        await queue.claimDue('d', 10, 60_000, T0);
        await queue.recordResults(
          [
            { id: old.items[0]!.id, state: 'delivered', delivery: delivery(T0 + 100) },
            { id: old.items[1]!.id, state: 'bounced', response: '550', delivery: delivery(T0 + 100) },
            { id: shared.items[0]!.id, state: 'delivered', delivery: delivery(T0 + 100) },
            { id: shared.items[1]!.id, state: 'deferred', nextAttemptAt: T0 + 10_000, response: '451', delivery: null },
          ],
          { bodies: [], items: [] },
        );
        clock.now = T0 + 5000;
        assert.equal(await queue.purge(T0 + 100), 0, 'finished exactly at the cutoff: kept');
        assert.equal(await queue.purge(T0 + 101), 3);
        assert.equal(await queue.getBody(old.b.id), null, 'body of purged items removed');
        assert.equal((await queue.getBody(shared.b.id))?.toString(), 'encrypted bytes', 'still referenced by the deferred item');
        assert.deepEqual((await queue.list()).map((i) => i.id), [shared.items[1]!.id]);
      }));

    test('TLS-instead items keep their requirement and fallback body; purge keeps a body referenced only as a fallback', () =>
      withStores(async (h) => {
        const { queue } = h.stores;
        const messageId = uid('M');
        const plain = body(messageId, 'plaintext form');
        const encrypted = body(messageId, 'encrypted form');
        const oldBody = body(uid('M'), 'old');
        const twoForm = item(messageId, plain.id, 'a@x.test', { tlsInstead: { fallbackBodyId: encrypted.id } });
        const tlsOnly = item(messageId, plain.id, 'b@x.test', { tlsInstead: { fallbackBodyId: null } });
        const ordinary = item(messageId, plain.id, 'c@x.test');
        await queue.recordResults([], { bodies: [plain, encrypted, oldBody], items: [twoForm, tlsOnly, ordinary] });
        assert.deepEqual((await queue.get(twoForm.id))?.tlsInstead, { fallbackBodyId: encrypted.id });
        assert.deepEqual((await queue.get(tlsOnly.id))?.tlsInstead, { fallbackBodyId: null });
        assert.equal((await queue.get(ordinary.id))?.tlsInstead, undefined);
        const claimed = await queue.claimDue('d', 10, 60_000, T0);
        assert.deepEqual(claimed.find((i) => i.id === twoForm.id)?.tlsInstead, { fallbackBodyId: encrypted.id }, 'claims return the requirement too');
        await queue.recordResults([{ id: ordinary.id, state: 'delivered', delivery: delivery(T0) }, { id: tlsOnly.id, state: 'delivered', delivery: { ...delivery(T0), form: 'plaintext-over-verified-tls' } }], { bodies: [], items: [] });
        assert.equal((await queue.get(tlsOnly.id))?.lastDelivery?.form, 'plaintext-over-verified-tls');
        await queue.purge(T0 + 10_000_000);
        assert.equal((await queue.getBody(encrypted.id))?.toString(), 'encrypted form', 'still the fallback of an active item');
        assert.equal(await queue.getBody(oldBody.id), null);
      }));

    test('a corrupt item is a SealpostError naming it and is skipped by claims', () => {
      const reported: unknown[] = [];
      return withStores(
        async (h) => {
          const { queue } = h.stores;
          const { items } = await seed(h, { 'a@x.test': T0, 'b@x.test': T0 });
          await h.stores.database.kysely.updateTable('queue_items').set({ trace: 'not json' }).where('id', '=', items[0]!.id).execute();
          const err = await rejectsWith(queue.get(items[0]!.id), 'SP_ERR_STORE_CORRUPT');
          assert.equal(err.context.id, items[0]!.id);
          assert.equal(err.context.column, 'trace');
          assert.deepEqual((await queue.claimDue('d', 10, 60_000, T0)).map((i) => i.id), [items[1]!.id]);
          assert.equal(reported.length, 1);
          assert.deepEqual((await queue.claimDue('d', 10, 60_000, T0 + 60_000)).map((i) => i.id), [items[1]!.id], 'the damaged item stays set aside');
          assert.equal(reported.length, 1, 'set aside, so not reported again on every claim');
        },
        { onCorruptRow: (e) => reported.push(e) },
      );
    });

    test('durability: items, states and bodies survive close and reopen', () =>
      withStores(async (h) => {
        const { items, b } = await seed(h, { 'a@x.test': T0, 'b@x.test': T0 });
        await h.stores.queue.claimDue('d', 10, 60_000, T0);
        await h.stores.queue.recordResults([{ id: items[0]!.id, state: 'delivered', delivery: delivery(T0) }], { bodies: [], items: [] });
        const again = await h.reopen();
        assert.equal((await again.queue.get(items[0]!.id))?.state, 'delivered');
        assert.equal((await again.queue.get(items[1]!.id))?.state, 'queued');
        assert.equal((await again.queue.getBody(b.id))?.toString(), 'encrypted bytes');
        assert.equal((await again.queue.claimDue('d2', 10, 60_000, T0 + 60_000)).length, 1, 'the lease survived the restart until its end');
      }));
  });
}
