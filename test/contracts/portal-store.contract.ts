/**
 * Contract suite for the portal store (portal/store.ts), engine-neutral: portal-sqlite.test.ts
 * and portal-postgres.test.ts run it with a fresh database per test. Bodies here are opaque
 * bytes (sealing has its own tests in src/portal/crypto.test.ts); the suite checks the store's
 * promises: once-per-recipient deposit, IDOR-proof reads, shredding on recall/expiry, tokens a
 * GET cannot burn and a POST burns once, lockout counting, sessions, retention.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Stores } from '../../src/db/index.js';
import type { NewPortalMessage, NewSentItem } from '../../src/portal/store.js';
import { storesWithClock, type MakeStores } from './engines.js';
import { T0, uid } from './store-fixtures.js';

export type MakePortalStores = MakeStores;

const DAY = 86_400_000;

export function portalMessage(over: Partial<NewPortalMessage> = {}): NewPortalMessage {
  const id = over.id ?? uid('P');
  return {
    id,
    spoolId: uid('S'),
    recipient: 'Bob@Partner.TEST',
    sender: 'alice@example.test',
    fromHeader: 'Alice <alice@example.test>',
    subject: 'Quarterly figures',
    originalMessageId: '<m1@example.test>',
    to: ['bob@partner.test'],
    cc: ['carol@partner.test'],
    profile: 'default',
    security: 'high',
    allowReply: true,
    allowReplyAll: false,
    allowForward: false,
    readReceipts: true,
    locale: 'de',
    branding: null,
    createdAt: T0,
    expiresAt: T0 + 30 * DAY,
    size: 1234,
    attachments: [{ part: '2', filename: 'figures.pdf', contentType: 'application/pdf', size: 999 }],
    ciphertext: Buffer.from(`ciphertext of ${id}`),
    wrappedKey: Buffer.from(`wrapped key of ${id}`),
    kekId: '0123456789abcdef',
    ...over,
  };
}

async function countRows(stores: Stores, table: 'portal_keys' | 'portal_bodies', id: string): Promise<number> {
  const rows = await stores.database.kysely.selectFrom(table).select('id').where('id', '=', id).execute();
  return rows.length;
}

export function runPortalStoreContract(name: string, make: MakePortalStores): void {
  const withStores = storesWithClock(make);

  describe(`portal store contract: ${name}`, () => {
    test('deposit: once per (spool id, recipient), creates the account, keeps every field, body and key apart', () =>
      withStores(async (stores) => {
        const { portal } = stores;
        const m = portalMessage();
        const first = await portal.messages.deposit(m);
        assert.equal(first.created, true);
        assert.equal(first.message.recipient, 'bob@partner.test', 'addresses are lowercased');
        assert.equal(first.message.state, 'unread');
        assert.equal(first.message.hasKey, true);
        assert.deepEqual(first.message.attachments, m.attachments);
        assert.deepEqual([first.message.to, first.message.cc], [['bob@partner.test'], ['carol@partner.test']]);
        assert.deepEqual([first.message.readReceipts, first.message.allowReply, first.message.allowForward, first.message.locale, first.message.expiresAt], [true, true, false, 'de', T0 + 30 * DAY]);
        const replay = await portal.messages.deposit({ ...m, id: uid('P'), ciphertext: Buffer.from('other') });
        assert.equal(replay.created, false);
        assert.equal(replay.message.id, m.id, 'a replay returns the first deposit');
        assert.equal((await portal.messages.list({ recipient: 'bob@partner.test' })).length, 1);
        const account = await portal.accounts.get('BOB@partner.test');
        assert.ok(account);
        assert.equal(account.passwordHash, null);
        assert.equal(account.createdAt, T0);
        // the key-server model: the ciphertext row and the key row live in different tables
        assert.equal(await countRows(stores, 'portal_bodies', m.id), 1);
        assert.equal(await countRows(stores, 'portal_keys', m.id), 1);
        const body = await portal.messages.readableBody(m.id, 'bob@partner.test');
        assert.ok(body.ok);
        assert.equal(body.body.ciphertext.toString(), `ciphertext of ${m.id}`);
        assert.equal(body.body.wrappedKey.toString(), `wrapped key of ${m.id}`);
        assert.equal(body.body.kekId, '0123456789abcdef');
      }));

    test('IDOR: another recipient can neither see, read, mark nor delete the message', () =>
      withStores(async ({ portal }) => {
        const m = portalMessage();
        await portal.messages.deposit(m);
        await portal.messages.deposit(portalMessage({ recipient: 'eve@partner.test', spoolId: m.spoolId }));
        assert.equal(await portal.messages.forRecipient(m.id, 'eve@partner.test'), null);
        assert.deepEqual(await portal.messages.readableBody(m.id, 'eve@partner.test'), { ok: false, reason: 'not-found' });
        assert.equal(await portal.messages.markRead(m.id, 'eve@partner.test'), null);
        assert.equal(await portal.messages.markDeleted(m.id, 'eve@partner.test'), false);
        assert.deepEqual((await portal.messages.list({ recipient: 'eve@partner.test' })).map((x) => x.recipient), ['eve@partner.test']);
        assert.ok((await portal.messages.forRecipient(m.id, 'BOB@partner.test'))?.id === m.id);
      }));

    test('first read is stamped once; reminders count once per step; read messages get none', () =>
      withStores(async ({ portal }, clock) => {
        const a = await portal.messages.deposit(portalMessage());
        const b = await portal.messages.deposit(portalMessage({ recipient: 'dave@partner.test' }));
        clock.now = T0 + DAY + 1;
        const due = await portal.messages.dueForReminder({ createdBefore: clock.now - DAY, remindersSent: 0, limit: 10 });
        assert.deepEqual(due.map((x) => x.id).sort(), [a.message.id, b.message.id].sort());
        assert.equal(await portal.messages.markReminded(a.message.id, 0), true);
        assert.equal(await portal.messages.markReminded(a.message.id, 0), false, 'a second node loses');
        assert.deepEqual((await portal.messages.dueForReminder({ createdBefore: clock.now - DAY, remindersSent: 0, limit: 10 })).map((x) => x.id), [b.message.id]);
        assert.deepEqual((await portal.messages.dueForReminder({ createdBefore: clock.now - DAY, remindersSent: 1, limit: 10 })).map((x) => x.id), [a.message.id]);
        const r1 = await portal.messages.markRead(b.message.id, 'dave@partner.test');
        assert.equal(r1?.first, true);
        assert.equal(r1?.message.readAt, clock.now);
        assert.equal(r1?.message.state, 'read');
        const r2 = await portal.messages.markRead(b.message.id, 'dave@partner.test');
        assert.equal(r2?.first, false, 'the read receipt goes out once');
        assert.deepEqual(await portal.messages.dueForReminder({ createdBefore: clock.now, remindersSent: 0, limit: 10 }), []);
        assert.equal((await portal.messages.get(a.message.id))?.remindersSent, 1);
      }));

    test('recall shreds key and ciphertext at once; the body is unreadable; a second recall is a no-op', () =>
      withStores(async (stores, clock) => {
        const { portal } = stores;
        const { message } = await portal.messages.deposit(portalMessage());
        clock.now = T0 + 5000;
        const r = await portal.messages.recall(message.id);
        assert.equal(r.recalled, true);
        assert.equal(r.message?.state, 'recalled');
        assert.equal(r.message?.recalledAt, T0 + 5000);
        assert.equal(r.message?.hasKey, false);
        assert.equal(await countRows(stores, 'portal_keys', message.id), 0);
        assert.equal(await countRows(stores, 'portal_bodies', message.id), 0);
        assert.deepEqual(await portal.messages.readableBody(message.id, 'bob@partner.test'), { ok: false, reason: 'recalled' });
        assert.deepEqual(await portal.messages.list({ recipient: 'bob@partner.test' }), [], 'the inbox leaves recalled messages out');
        assert.equal((await portal.messages.list({ recipient: 'bob@partner.test', includeInactive: true })).length, 1);
        assert.equal((await portal.messages.recall(message.id)).recalled, false);
        assert.equal((await portal.messages.recall('nope')).message, null);
        assert.equal((await portal.messages.markRead(message.id, 'bob@partner.test'))?.first, false, 'a recalled message is never marked read');
      }));

    test('expiry: unreadable from expiresAt on; dueForExpiry → markExpired once shreds; retention purges the rows later', () =>
      withStores(async (stores, clock) => {
        const { portal } = stores;
        const { message } = await portal.messages.deposit(portalMessage({ expiresAt: T0 + DAY }));
        const forever = await portal.messages.deposit(portalMessage({ recipient: 'zoe@partner.test', expiresAt: null }));
        assert.ok((await portal.messages.readableBody(message.id, 'bob@partner.test')).ok);
        clock.now = T0 + DAY;
        assert.deepEqual(await portal.messages.readableBody(message.id, 'bob@partner.test'), { ok: false, reason: 'expired' });
        assert.equal((await portal.messages.get(message.id))?.state, 'expired');
        assert.deepEqual(await portal.messages.list({ recipient: 'bob@partner.test' }), []);
        assert.deepEqual((await portal.messages.dueForExpiry({ limit: 10 })).map((m) => m.id), [message.id]);
        assert.equal(await portal.messages.markExpired(message.id), true);
        assert.equal(await portal.messages.markExpired(message.id), false);
        assert.deepEqual(await portal.messages.dueForExpiry({ limit: 10 }), []);
        assert.equal(await countRows(stores, 'portal_keys', message.id), 0);
        assert.equal(await countRows(stores, 'portal_bodies', message.id), 0);
        const tok = await portal.tokens.issue({ purpose: 'message', address: 'bob@partner.test', messageId: message.id, expiresAt: T0 + 40 * DAY });
        clock.now = T0 + 10 * DAY;
        assert.equal(await portal.messages.purge(T0 + 5 * DAY), 1);
        assert.equal(await portal.messages.get(message.id), null);
        assert.equal(await portal.tokens.peek(tok, 'message'), null, 'its tokens go with it');
        assert.ok(await portal.messages.get(forever.message.id), 'a message without expiry stays');
        assert.ok((await portal.messages.readableBody(forever.message.id, 'zoe@partner.test')).ok);
      }));

    test('tokens: stored hashed; peek (GET) never consumes; consume (POST) succeeds exactly once; purpose and expiry enforced', () =>
      withStores(async (stores, clock) => {
        const { portal } = stores;
        const token = await portal.tokens.issue({ purpose: 'message', address: 'Bob@partner.test', messageId: 'P1', expiresAt: T0 + DAY });
        assert.match(token, /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
        const stored = await stores.database.kysely.selectFrom('portal_tokens').select('hash').execute();
        assert.equal(stored.length, 1);
        assert.notEqual(stored[0]!.hash, token);
        assert.ok(!stored[0]!.hash.includes(token));
        for (let i = 0; i < 3; i++) {
          const seen = await portal.tokens.peek(token, 'message');
          assert.deepEqual(seen, { purpose: 'message', address: 'bob@partner.test', messageId: 'P1', createdAt: T0, expiresAt: T0 + DAY, usedAt: null });
        }
        assert.equal(await portal.tokens.consume(token, 'reset'), null, 'another purpose');
        const results = await Promise.all([1, 2, 3, 4, 5].map(() => portal.tokens.consume(token, 'message')));
        assert.equal(results.filter((r) => r !== null).length, 1, 'exactly one concurrent POST wins');
        assert.equal((await portal.tokens.peek(token, 'message'))?.usedAt, T0);
        assert.equal(await portal.tokens.consume(token, 'message'), null);
        const late = await portal.tokens.issue({ purpose: 'reset', address: 'bob@partner.test', messageId: null, expiresAt: T0 + 1000 });
        clock.now = T0 + 1000;
        assert.equal(await portal.tokens.consume(late, 'reset'), null, 'expired');
        assert.equal((await portal.tokens.peek(late, 'reset'))?.expiresAt, T0 + 1000, 'peek still tells the page why');
        assert.equal(await portal.tokens.peek('not-a-token', 'message'), null);
        assert.equal(await portal.tokens.purge(T0 + 2000), 1);
        assert.equal(await portal.tokens.peek(late, 'reset'), null);
      }));

    test('accounts: update fields; failures lock at the threshold; success resets; unknown addresses store nothing', () =>
      withStores(async ({ portal }, clock) => {
        await portal.accounts.ensure('bob@partner.test');
        const again = await portal.accounts.ensure('BOB@partner.test');
        assert.equal(again.address, 'bob@partner.test');
        clock.now = T0 + 10;
        const u = await portal.accounts.update('bob@partner.test', { passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$x$y', totpSecret: Buffer.from('wrapped totp'), locale: 'ja' });
        assert.equal(u?.passwordHash, '$argon2id$v=19$m=19456,t=2,p=1$x$y');
        assert.equal(u?.passwordChangedAt, T0 + 10);
        assert.equal(u?.totpSecret?.toString(), 'wrapped totp');
        assert.equal(u?.locale, 'ja');
        assert.equal((await portal.accounts.update('bob@partner.test', { totpSecret: null }))?.totpSecret, null);
        assert.equal(await portal.accounts.update('nobody@partner.test', { locale: 'de' }), null);
        const policy = { maxFailures: 3, lockMs: 60_000 };
        assert.deepEqual(await portal.accounts.recordLoginFailure('bob@partner.test', policy), { failedLogins: 1, lockedUntil: null });
        const concurrent = await Promise.all([portal.accounts.recordLoginFailure('bob@partner.test', policy), portal.accounts.recordLoginFailure('bob@partner.test', policy)]);
        assert.deepEqual(concurrent.map((c) => c?.failedLogins).sort(), [2, 3], 'no failure is lost to a race');
        const locked = await portal.accounts.get('bob@partner.test');
        assert.equal(locked?.lockedUntil, T0 + 10 + 60_000);
        assert.equal(locked?.failedLogins, 0);
        assert.equal(await portal.accounts.recordLoginFailure('nobody@partner.test', policy), null);
        assert.equal(await portal.accounts.get('nobody@partner.test'), null);
        await portal.accounts.recordLoginSuccess('bob@partner.test');
        const ok = await portal.accounts.get('bob@partner.test');
        assert.deepEqual([ok?.failedLogins, ok?.lockedUntil, ok?.lastLoginAt], [0, null, T0 + 10]);
        assert.deepEqual((await portal.accounts.list()).map((a) => a.address), ['bob@partner.test']);
      }));

    test('passkeys: per account; counter updates; only the owner removes', () =>
      withStores(async ({ portal }) => {
        await portal.accounts.ensure('bob@partner.test');
        await portal.passkeys.add({ id: 'cred-1', address: 'Bob@partner.test', publicKey: Buffer.from([1, 2, 3]), counter: 0, transports: ['internal'], name: 'laptop' });
        const got = await portal.passkeys.get('cred-1');
        assert.deepEqual(got && { ...got, publicKey: [...got.publicKey] }, { id: 'cred-1', address: 'bob@partner.test', publicKey: [1, 2, 3], counter: 0, transports: ['internal'], name: 'laptop', createdAt: T0, lastUsedAt: null });
        await portal.passkeys.markUsed('cred-1', 7);
        assert.equal((await portal.passkeys.get('cred-1'))?.counter, 7);
        assert.deepEqual((await portal.passkeys.byAddress('bob@partner.test')).map((p) => p.id), ['cred-1']);
        assert.equal(await portal.passkeys.remove('cred-1', 'eve@partner.test'), false);
        assert.equal(await portal.passkeys.remove('cred-1', 'bob@partner.test'), true);
        assert.equal(await portal.passkeys.get('cred-1'), null);
      }));

    test('sessions: stored hashed, expire, slide, and are destroyed per address', () =>
      withStores(async (stores, clock) => {
        const { portal } = stores;
        const a = await portal.sessions.create({ kind: 'session', address: 'Bob@partner.test', auth: 'password', expiresAt: T0 + 1000, data: { csrf: 'x' } });
        const d = await portal.sessions.create({ kind: 'device', address: 'bob@partner.test', auth: 'password', expiresAt: T0 + 30 * DAY });
        assert.notEqual(a.id, d.id);
        const rows = await stores.database.kysely.selectFrom('portal_sessions').select('hash').execute();
        assert.ok(rows.every((r) => r.hash !== a.id && r.hash !== d.id));
        assert.deepEqual(await portal.sessions.get(a.id), { kind: 'session', address: 'bob@partner.test', auth: 'password', data: { csrf: 'x' }, createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 1000 });
        clock.now = T0 + 500;
        assert.equal(await portal.sessions.touch(a.id, { expiresAt: T0 + 1500, data: { csrf: 'y' } }), true);
        clock.now = T0 + 1200;
        assert.equal((await portal.sessions.get(a.id))?.data.csrf, 'y');
        clock.now = T0 + 1500;
        assert.equal(await portal.sessions.get(a.id), null);
        assert.equal(await portal.sessions.touch(a.id), false);
        const b = await portal.sessions.create({ kind: 'session', address: 'bob@partner.test', auth: 'passkey', expiresAt: T0 + 5000 });
        assert.equal(await portal.sessions.destroyAll('bob@partner.test', 'session'), 1);
        assert.equal(await portal.sessions.get(b.id), null);
        assert.ok(await portal.sessions.get(d.id));
        assert.equal(await portal.sessions.destroy(d.id), true);
        assert.equal(await portal.sessions.purge(T0 + 100 * DAY), 0);
      }));

    test('sent items: only the author lists and opens them; sealed body kept apart; retention', () =>
      withStores(async (stores, clock) => {
        const { portal } = stores;
        const item: NewSentItem = { id: uid('R'), account: 'Bob@partner.test', kind: 'reply', inReplyTo: 'P1', to: ['alice@example.test'], cc: [], subject: 'Re: figures', spoolId: uid('S'), createdAt: T0, size: 10, attachments: [], ciphertext: Buffer.from('ct'), wrappedKey: Buffer.from('wk'), kekId: 'k' };
        const added = await portal.sent.add(item);
        assert.equal(added.account, 'bob@partner.test');
        assert.deepEqual((await portal.sent.list('bob@partner.test')).map((s) => [s.id, s.kind, s.inReplyTo, s.subject]), [[item.id, 'reply', 'P1', 'Re: figures']]);
        assert.deepEqual(await portal.sent.list('eve@partner.test'), []);
        assert.equal(await portal.sent.get(item.id, 'eve@partner.test'), null);
        const got = await portal.sent.get(item.id, 'bob@partner.test');
        assert.equal(got?.body?.ciphertext.toString(), 'ct');
        assert.equal(await countRows(stores, 'portal_keys', item.id), 1);
        clock.now = T0 + DAY;
        assert.equal(await portal.sent.purge(T0 + 1), 1);
        assert.equal(await countRows(stores, 'portal_keys', item.id), 0);
        assert.equal(await countRows(stores, 'portal_bodies', item.id), 0);
      }));

    test('audit: newest first, filtered by address and message; purge by age', () =>
      withStores(async ({ portal }, clock) => {
        await portal.audit.record({ event: 'login', address: 'Bob@partner.test', ip: '127.0.0.1', detail: { auth: 'password' } });
        clock.now = T0 + 1;
        await portal.audit.record({ event: 'read', address: 'bob@partner.test', messageId: 'P1' });
        await portal.audit.record({ event: 'recall', address: 'alice@example.test', messageId: 'P1', detail: { by: 'cli' } });
        const bob = await portal.audit.list({ address: 'bob@partner.test' });
        assert.deepEqual(bob.map((e) => e.event), ['read', 'login']);
        assert.deepEqual(bob[1], { id: bob[1]!.id, at: T0, event: 'login', address: 'bob@partner.test', messageId: null, ip: '127.0.0.1', detail: { auth: 'password' } });
        assert.deepEqual((await portal.audit.list({ messageId: 'P1' })).map((e) => e.event).sort(), ['read', 'recall']);
        assert.equal(await portal.audit.purge(T0 + 1), 1);
        assert.equal((await portal.audit.list()).length, 2);
      }));
  });
}
