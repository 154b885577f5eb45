/**
 * Lifecycle and reply injection on a real SQLite store with the real Notifier and queue store:
 * reminders on schedule and once, expiry shreds and tells the sender once, retention, recall by
 * the sender's token (POST) but not by a GET (peek), read receipts, and who a reply may go to.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createStores, openDatabase, type Stores } from '../db/index.js';
import { newId } from '../mail/ids.js';
import { MessageDraft } from '../mime/draft.js';
import { createNotifier } from '../notify/notifier.js';
import { PortalCrypto } from './crypto.js';
import { depositMessage, type ProfilePortalSettings } from './deposit.js';
import { checkRecipients, injectReply, type InjectDeps } from './inject.js';
import { peekRecall, recallByToken, runLifecycle, sendReadReceipt, type LifecycleDeps } from './lifecycle.js';
import type { PortalMessage } from './store.js';

const DAY = 86_400_000;
const T0 = 1_800_000_000_000;
const settings: ProfilePortalSettings = { security: 'high', expiresAfter: 10 * DAY, readReceipts: true, allowReply: true, allowReplyAll: true, allowForward: false, locale: 'en' };
const isInternal = (a: string) => a.toLowerCase().endsWith('@example.test');

async function fixture(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-portal-life-'));
  const clock = { now: T0 };
  const stores: Stores = createStores(await openDatabase(`sqlite:${join(dir, 'p.db')}`), { now: () => clock.now });
  t.after(async () => {
    await stores.close();
    await rm(dir, { recursive: true, force: true });
  });
  const crypto = PortalCrypto.fromMasterKey(randomBytes(32));
  const notifier = createNotifier({ hostname: 'gw.example.test', node: 'gw', secret: randomBytes(32), from: 'securemail@example.test', internalDomains: ['example.test'], now: () => clock.now });
  let queued = 0;
  const deps: LifecycleDeps = {
    store: stores.portal,
    queue: stores.queue,
    notifier,
    baseUrl: () => 'https://portal.example.test',
    settings: { reminders: [DAY, 3 * DAY], linkValidityMs: 30 * DAY, expiredNotice: true, retention: { messages: 5 * DAY, sent: 90 * DAY, audit: 365 * DAY } },
    giveUpAfterMs: 5 * DAY,
    now: () => clock.now,
    newId: (at) => newId(at ?? clock.now),
    onQueued: () => void queued++,
  };
  const deposit = async (recipient: string, over: Partial<ProfilePortalSettings> = {}, headers = '') =>
    (
      await depositMessage(
        { store: stores.portal, crypto, now: () => clock.now, newId: () => newId(clock.now) },
        {
          spoolId: newId(clock.now),
          recipient,
          sender: 'alice@example.test',
          draft: MessageDraft.parse(Buffer.from(`From: Alice <alice@example.test>\r\nTo: ${recipient}\r\nCc: carol@example.test, zed@partner.test\r\nSubject: Figures\r\nMessage-ID: <m@example.test>\r\n${headers}\r\nbody\r\n`)),
          profile: 'default',
          settings: { ...settings, ...over },
          overrides: {},
        },
      )
    ).message;
  const notices = async () => {
    const items = await stores.queue.list({ limit: 100 });
    return Promise.all(items.map(async (i) => ({ to: i.recipient, kind: i.kind, text: (await stores.queue.getBody(i.bodyId))!.toString('latin1') })));
  };
  return { stores, crypto, deps, clock, deposit, notices, queued: () => queued };
}

test('reminders go out on schedule, once per step, never for read or recalled messages', async (t) => {
  const f = await fixture(t);
  const unread = await f.deposit('bob@partner.test');
  const read = await f.deposit('dave@partner.test');
  await f.stores.portal.messages.markRead(read.id, 'dave@partner.test');
  f.clock.now = T0 + DAY - 1;
  assert.equal((await runLifecycle(f.deps)).reminders, 0, 'not yet');
  f.clock.now = T0 + DAY;
  assert.equal((await runLifecycle(f.deps)).reminders, 1);
  assert.equal((await runLifecycle(f.deps)).reminders, 0, 'a second run sends nothing more');
  f.clock.now = T0 + 3 * DAY;
  assert.equal((await runLifecycle(f.deps)).reminders, 1, 'the second step');
  f.clock.now = T0 + 9 * DAY;
  assert.equal((await runLifecycle(f.deps)).reminders, 0, 'only two steps configured');
  const sent = await f.notices();
  assert.equal(sent.length, 2);
  assert.ok(sent.every((n) => n.to === 'bob@partner.test' && n.kind === 'notice'));
  assert.match(sent[0]!.text, /X-Sealpost-Notification: portal-reminder/);
  // each reminder carries a fresh, working link
  const tokens = sent.map((n) => /https:\/\/portal\.example\.test\/m\/([A-Za-z0-9_-]{43})/.exec(n.text.replace(/=\r\n/g, ''))![1]!);
  assert.notEqual(tokens[0], tokens[1]);
  for (const token of tokens) assert.equal((await f.stores.portal.tokens.peek(token, 'message'))?.messageId, unread.id);
  assert.equal(f.queued(), 2, 'the delivery worker was poked');
});

test('expiry shreds the key, tells the sender once (only when unread), retention removes the record later', async (t) => {
  const f = await fixture(t);
  const unread = await f.deposit('bob@partner.test', { expiresAfter: DAY });
  const read = await f.deposit('dave@partner.test', { expiresAfter: DAY });
  await f.stores.portal.messages.markRead(read.id, 'dave@partner.test');
  f.clock.now = T0 + DAY;
  const r = await runLifecycle(f.deps);
  assert.deepEqual([r.expired, r.expiredNotices], [2, 1]);
  for (const m of [unread, read]) assert.equal((await f.stores.portal.messages.get(m.id))?.hasKey, false);
  const notices = await f.notices();
  assert.deepEqual(notices.map((n) => n.to), ['alice@example.test']);
  assert.match(notices[0]!.text, /X-Sealpost-Notification: expired/);
  assert.equal((await runLifecycle(f.deps)).expired, 0);
  f.clock.now = T0 + 7 * DAY;
  assert.equal((await runLifecycle(f.deps)).purged.messages, 2);
  assert.equal(await f.stores.portal.messages.get(unread.id), null);
});

test('recall by the sender\'s link: a GET (peek) changes nothing, the POST recalls once, only the sender\'s own message', async (t) => {
  const f = await fixture(t);
  const m = await f.deposit('bob@partner.test');
  const token = await f.stores.portal.tokens.issue({ purpose: 'recall', address: 'alice@example.test', messageId: m.id, expiresAt: T0 + DAY });
  assert.equal((await peekRecall(f.deps, token))?.id, m.id);
  assert.equal((await peekRecall(f.deps, token))?.id, m.id, 'peeking twice is harmless');
  assert.equal((await f.stores.portal.messages.get(m.id))?.state, 'unread');
  const r = await recallByToken(f.deps, token, '192.0.2.7');
  assert.equal(r?.recalled, true);
  assert.equal(await recallByToken(f.deps, token), null, 'single use');
  assert.equal(await peekRecall(f.deps, token), null);
  assert.deepEqual(await f.stores.portal.messages.readableBody(m.id, 'bob@partner.test'), { ok: false, reason: 'recalled' });
  const audit = await f.stores.portal.audit.list({ messageId: m.id });
  assert.deepEqual(audit.map((a) => [a.event, a.address, a.ip]).filter((a) => a[0] === 'recall'), [['recall', 'alice@example.test', '192.0.2.7']]);
  // a recall token issued to someone else does not recall alice's message
  const other = await f.deposit('dave@partner.test');
  const forged = await f.stores.portal.tokens.issue({ purpose: 'recall', address: 'mallory@example.test', messageId: other.id, expiresAt: T0 + DAY });
  assert.deepEqual(await recallByToken(f.deps, forged), { recalled: false, reason: 'not-found' });
  assert.equal((await f.stores.portal.messages.get(other.id))?.state, 'unread');
});

test('read receipts only when the message asks for them', async (t) => {
  const f = await fixture(t);
  const yes = await f.deposit('bob@partner.test');
  const no = await f.deposit('dave@partner.test', { readReceipts: false });
  assert.equal(await sendReadReceipt(f.deps, yes, T0 + 5), true);
  assert.equal(await sendReadReceipt(f.deps, no, T0 + 5), false);
  const notices = await f.notices();
  assert.equal(notices.length, 1);
  assert.match(notices[0]!.text, /X-Sealpost-Notification: read-receipt/);
  assert.match(notices[0]!.text.replace(/=\r\n/g, ''), /bob@partner\.test/);
});

test('reply recipients: the rules per kind, decided from the stored message', async (t) => {
  const f = await fixture(t);
  const m: PortalMessage = await f.deposit('bob@partner.test');
  const ok = (kind: 'reply' | 'reply-all' | 'forward' | 'compose', to: string[], cc: string[] = [], msg: PortalMessage | null = m) => checkRecipients(kind, msg, 'bob@partner.test', to, cc, isInternal);
  assert.deepEqual(ok('reply', ['Alice@Example.test']), ['alice@example.test']);
  assert.throws(() => ok('reply', ['alice@example.test'], ['carol@example.test']), /sender only/);
  assert.deepEqual(ok('reply-all', ['alice@example.test'], ['carol@example.test']), ['alice@example.test', 'carol@example.test']);
  assert.throws(() => ok('reply-all', ['alice@example.test'], ['zed@partner.test']), /cannot be written to/, 'external Cc of the original: never');
  assert.throws(() => ok('reply-all', ['alice@example.test'], ['frank@example.test']), /not to frank@example\.test/);
  assert.throws(() => ok('forward', ['frank@example.test']), /forwarding this message is not allowed/);
  assert.deepEqual(ok('compose', ['frank@example.test'], [], null), ['frank@example.test']);
  assert.throws(() => ok('reply', []), /at least one/);
  assert.throws(() => ok('reply', ['not an address']), /not an e-mail address/);
  assert.throws(() => ok('reply', ['alice@example.test'], [], null), /needs the message/);
  const denied = await f.deposit('erin@partner.test', { allowReply: false, allowReplyAll: false });
  assert.throws(() => checkRecipients('reply', denied, 'erin@partner.test', ['alice@example.test'], [], isInternal), /not allowed/);
  assert.throws(() => checkRecipients('reply', m, 'eve@partner.test', ['alice@example.test'], [], isInternal), /no such message/);
});

test('injectReply: spooled as inbound mail from the system address, sealed as a sent item; compose needs a message that allows replies', async (t) => {
  const f = await fixture(t);
  const m = await f.deposit('bob@partner.test');
  const accepted: { id: string; envelope: { mailFrom: string; recipients: readonly { address: string; direction: string }[] }; session: { mayRelay: boolean; authUser: string | null }; body: Buffer }[] = [];
  const deps: InjectDeps = { store: f.stores.portal, crypto: f.crypto, spool: { accept: async (msg) => void accepted.push(msg) }, isInternal, from: 'securemail@example.test', hostname: 'gw.example.test', maxBytes: 1000, now: () => f.clock.now, newId: () => newId(f.clock.now) };
  const r = await injectReply(deps, { account: 'bob@partner.test', kind: 'reply', originalId: m.id, to: ['alice@example.test'], cc: [], subject: 'Re: Figures\r\nBcc: evil@x.test', text: 'thanks', attachments: [], ip: '198.51.100.4' });
  assert.equal(accepted.length, 1);
  const spooled = accepted[0]!;
  assert.equal(spooled.id, r.spoolId);
  assert.deepEqual(spooled.envelope, { mailFrom: 'securemail@example.test', recipients: [{ address: 'alice@example.test', direction: 'inbound' }] });
  assert.deepEqual([spooled.session.mayRelay, spooled.session.authUser], [false, null]);
  const raw = spooled.body.toString('latin1');
  assert.match(raw, /^Received: from portal \(\[198\.51\.100\.4\]\) by gw\.example\.test \(Sealpost portal\) with HTTPS id /);
  assert.match(raw, /^Reply-To: bob@partner\.test\r$/m);
  assert.match(raw, /^In-Reply-To: <m@example\.test>\r$/m);
  assert.doesNotMatch(raw, /^Bcc:/m, 'no header injection through the subject');
  const sent = await f.stores.portal.sent.get(r.id, 'bob@partner.test');
  assert.ok(sent?.body);
  assert.match(f.crypto.open('sent', r.id, sent.body).toString('latin1'), /thanks/);
  await assert.rejects(injectReply(deps, { account: 'bob@partner.test', kind: 'reply', originalId: m.id, to: ['alice@example.test'], cc: [], subject: 'x', text: 'x'.repeat(2000), attachments: [] }), /larger than 1000 bytes/);
  const hostile = await injectReply(deps, { account: 'bob@partner.test', kind: 'reply', originalId: m.id, to: ['alice@example.test'], cc: [], subject: 'x', text: 'x', attachments: [{ filename: 'a\r\nBcc: evil@x.test.txt', contentType: 'text/plain\r\nBcc: evil@x.test', content: Buffer.from('hi') }] });
  const hostileRaw = accepted.at(-1)!.body.toString('latin1');
  assert.doesNotMatch(hostileRaw, /^Bcc:/m, 'no header injection through attachment metadata');
  assert.match(hostileRaw, /Content-Type: application\/octet-stream/);
  assert.deepEqual((await f.stores.portal.sent.get(hostile.id, 'bob@partner.test'))?.item.attachments.map((a) => a.contentType), ['application/octet-stream']);
  await assert.rejects(injectReply(deps, { account: 'nobody@partner.test', kind: 'compose', originalId: null, to: ['alice@example.test'], cc: [], subject: 'x', text: 'x', attachments: [] }), { code: 'SP_ERR_PORTAL_REPLY_REFUSED' });
  await injectReply(deps, { account: 'bob@partner.test', kind: 'compose', originalId: null, to: ['frank@example.test'], cc: [], subject: 'hello', text: 'x', attachments: [] });
  assert.equal(accepted.length, 3);
});
