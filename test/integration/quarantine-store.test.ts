/**
 * The quarantine store on both engines: what settle writes (rules, release data, the post-policy
 * body), release as one transaction into a resuming spool entry, delete, purge by age.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, openDatabase, type Stores } from '../../src/db/index.js';
import type { NewQuarantineEntry, ResumePoint } from '../../src/spool/types.js';
import { createTestDatabase, requirePostgres } from '../helpers/postgres.js';
import { commit, message, rejectsWith, T0, uid } from '../contracts/store-fixtures.js';

const RESUME: ResumePoint = {
  processor: 'outbound-protect',
  facts: { protection: { level: 'mandatory', profile: 'default', decidedBy: { rule: 'cards', level: 'gateway' } }, rules: ['secure-subject', 'cards'] },
  messageFacts: { processedMarker: null, encrypted: null, signed: null, autoSubmitted: false, notification: null, hops: 1 },
};

function held(messageId: string, over: Partial<NewQuarantineEntry> = {}): NewQuarantineEntry {
  return {
    id: uid('X'),
    messageId,
    recipients: ['bob@partner.test'],
    reason: 'matched policy cards',
    sender: 'alice@example.test',
    bytes: Buffer.from('Subject: [secure] card\r\n\r\n4111 1111 1111 1111\r\n'),
    trace: [{ at: T0, stage: 'policy', event: 'quarantine', detail: 'matched policy cards (rule cards)' }],
    createdAt: T0,
    rules: ['secure-subject', 'cards'],
    release: { envelope: { mailFrom: 'alice@example.test', recipients: [{ address: 'bob@partner.test', direction: 'outbound' }] }, session: message('x').session, resume: RESUME },
    resumeBody: Buffer.from('Subject: card\r\n\r\n4111 1111 1111 1111\r\n'),
    ...over,
  };
}

async function quarantine(stores: Stores, entry: NewQuarantineEntry): Promise<void> {
  await stores.spool.accept(message(entry.messageId, ['bob@partner.test']));
  const claimed = await stores.spool.claim('w', 100, 60_000, Date.now() + 1);
  assert.ok(claimed.some((e) => e.id === entry.messageId));
  const c = commit(entry.messageId, ['bob@partner.test'], { owner: 'w' });
  const r = await stores.spool.settle([{ ...c, bodies: [], items: [], quarantine: [entry] }]);
  assert.deepEqual(r.applied, [entry.messageId]);
}

function suite(name: string, open: () => Promise<{ stores: Stores; done: () => Promise<void> }>): void {
  describe(`quarantine store: ${name}`, () => {
    test('settle keeps rules and release data; release resumes in the spool in one transaction', async () => {
      const { stores, done } = await open();
      try {
        const entry = held(uid('M'));
        await quarantine(stores, entry);
        const [summary] = await stores.quarantine.list();
        assert.deepEqual(summary?.rules, ['secure-subject', 'cards']);
        assert.equal(summary?.releasable, true);
        const full = await stores.quarantine.get(entry.id);
        assert.deepEqual(full?.release?.resume, RESUME);
        assert.equal(full?.bytes.toString(), entry.bytes.toString(), 'show has the message as received');

        const spoolId = uid('R');
        const released = await stores.quarantine.release(entry.id, spoolId, T0 + 5000);
        assert.deepEqual(released, { spoolId, resumesAt: 'outbound-protect' });
        assert.equal(await stores.quarantine.get(entry.id), null, 'gone from the quarantine');
        const spooled = await stores.spool.get(spoolId);
        assert.deepEqual(spooled?.resume, RESUME);
        assert.equal(spooled?.body.toString(), entry.resumeBody!.toString(), 'the post-policy message is released');
        assert.deepEqual(spooled?.pending, ['bob@partner.test']);
        assert.deepEqual(spooled?.trace.map((t) => t.event), ['quarantine', 'released']);
        const claimed = await stores.spool.claim('w2', 10, 60_000, T0 + 6000);
        assert.deepEqual(claimed.map((e) => e.id), [spoolId], 'due at once');
        assert.equal(await stores.quarantine.release(entry.id, uid('R'), T0), null, 'a second release finds nothing');
      } finally {
        await done();
      }
    });

    test('an entry held before any decision runs again from the start; one without release data is refused', async () => {
      const { stores, done } = await open();
      try {
        const fromStart = held(uid('M'), { resumeBody: null, release: { ...held('x').release!, resume: null } });
        await quarantine(stores, fromStart);
        const spoolId = uid('R');
        assert.deepEqual(await stores.quarantine.release(fromStart.id, spoolId, T0), { spoolId, resumesAt: null });
        const spooled = await stores.spool.get(spoolId);
        assert.equal(spooled?.resume, null);
        assert.equal(spooled?.body.toString(), fromStart.bytes.toString(), 'the original message');

        const old = held(uid('M'), { release: null, resumeBody: null });
        await quarantine(stores, old);
        assert.equal((await stores.quarantine.list()).find((q) => q.id === old.id)?.releasable, false);
        await rejectsWith(stores.quarantine.release(old.id, uid('R'), T0), 'SP_ERR_CLI_USAGE');
        assert.ok(await stores.quarantine.get(old.id), 'a refused release keeps the entry');
      } finally {
        await done();
      }
    });

    test('two operators releasing at once: one spool entry, the other release finds nothing', async () => {
      const { stores, done } = await open();
      try {
        const entry = held(uid('M'));
        await quarantine(stores, entry);
        const ids = [uid('R'), uid('R')];
        const results = await Promise.all(ids.map((sid) => stores.quarantine.release(entry.id, sid, T0)));
        assert.equal(results.filter((r) => r !== null).length, 1);
        const spooled = (await Promise.all(ids.map((sid) => stores.spool.get(sid)))).filter((e) => e !== null);
        assert.equal(spooled.length, 1, 'the losing release left no spool entry behind');
      } finally {
        await done();
      }
    });

    test('delete and purge by age', async () => {
      const { stores, done } = await open();
      try {
        const a = held(uid('M'), { createdAt: T0 });
        const b = held(uid('M'), { createdAt: T0 + 10 * 86_400_000 });
        const c = held(uid('M'), { createdAt: T0 + 20 * 86_400_000 });
        for (const e of [a, b, c]) await quarantine(stores, e);
        assert.equal(await stores.quarantine.delete(a.id), true);
        assert.equal(await stores.quarantine.delete(a.id), false);
        assert.equal(await stores.quarantine.purge(T0 + 15 * 86_400_000), 1);
        assert.deepEqual((await stores.quarantine.list()).map((q) => q.id), [c.id]);
      } finally {
        await done();
      }
    });
  });
}

suite('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-qstore-'));
  const stores = createStores(await openDatabase('sqlite:./q.db', { baseDir: dir }));
  return { stores, done: async () => { await stores.close(); rmSync(dir, { recursive: true, force: true }); } };
});

suite('postgres', async () => {
  await requirePostgres();
  const db = await createTestDatabase();
  const stores = createStores(await openDatabase(db.url, {}));
  return { stores, done: async () => { await stores.close(); await db.drop(); } };
});
