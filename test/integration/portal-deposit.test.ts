/**
 * The portal method end to end, without a browser: a real SMTP client → gateway (in-process,
 * SQLite, portal listener on HTTPS) → real SMTP sink. A keyless recipient under a profile that
 * orders [portal] gets a notice with a link; the stored body is ciphertext (no plaintext in the
 * database files); a link scanner's GET does not burn the link; the sender's read receipt,
 * recall (CLI) and expiry (header override + lifecycle run) make the message unreadable through
 * the store API; a reply injected through the web app's port arrives at the internal hop.
 * (Browser flows — registration, login, reading, replying in the page — are the web app's tests.)
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import nodemailer from 'nodemailer';
import { run } from '../../src/main.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { createTestDatabase } from '../helpers/postgres.js';
import { startSink, type Sink, type SinkMessage } from '../helpers/sink.js';

const MARKER = 'PLAINTEXT-MARKER-4711-do-not-store';

function send(port: number, from: string, to: string[], raw: string) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  return transport.sendMail({ envelope: { from, to }, raw }).finally(() => transport.close());
}

const text = (m: SinkMessage) => m.body.toString('latin1');
const decodedText = (m: SinkMessage) => text(m).replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

function mail(subject: string, extraHeaders = ''): string {
  return [
    'From: Alice <alice@example.test>',
    'To: Bob <bob@partner.test>',
    'Cc: carol@example.test',
    `Subject: ${subject}`,
    'Message-ID: <orig-1@example.test>',
    extraHeaders,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `The figures: ${MARKER}`,
    '--b1',
    'Content-Type: application/pdf; name="figures.pdf"',
    'Content-Disposition: attachment; filename="figures.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(`%PDF-1.4 ${MARKER}`).toString('base64'),
    '--b1--',
    '',
  ]
    .filter((l, i) => !(l === '' && i === 5))
    .join('\r\n');
}

/** GET over HTTPS to the portal (self-signed certificate), like a link scanner would. */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function setup(t: { after: (fn: () => Promise<void>) => void }): Promise<{ gw: TestGateway; sink: Sink }> {
  const sink = await startSink();
  const gw = await startGateway(
    [
      `relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }`,
      'notifications: { from: securemail@example.test }',
      'portal: { enabled: true, listen: "127.0.0.1:0", baseUrl: "https://localhost:8443", notifySender: true }',
      'profiles:',
      '  default: { order: [portal], portal: { readReceipts: true, allowReplyAll: true } }',
      '',
    ].join('\n'),
  );
  t.after(async () => {
    await gw.close();
    await sink.close();
  });
  return { gw, sink };
}

/**
 * The database files' bytes after a VACUUM and a truncating checkpoint, i.e. the live data only.
 * Why: SQLite leaves deleted rows' bytes in free pages and old WAL frames — the spool entry
 * (plaintext until the pipeline settled it) is deleted, not scrubbed; see the report on
 * secure_delete. What this proves: no live row anywhere (portal tables, spool, queue) holds it.
 */
async function dbBytes(gw: TestGateway): Promise<Buffer> {
  const side = new BetterSqlite3(gw.dbFile);
  try {
    side.pragma('busy_timeout = 5000');
    side.exec('VACUUM');
    side.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    side.close();
  }
  const dir = join(gw.dir, 'data');
  const files = (await readdir(dir)).filter((f) => f.startsWith('sealpost.db'));
  return Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
}

test('portal: notice with an address-free link, ciphertext at rest, GET does not burn the link, read receipt, reply injection, recall', async (t) => {
  const { gw, sink } = await setup(t);
  const portal = gw.app.portal;
  assert.ok(portal.url, 'the portal listens');
  await send(gw.port, 'alice@example.test', ['bob@partner.test'], mail('[secure] Quarterly figures'));
  await sink.waitFor(2, 15_000);

  // the recipient's notice: the message itself never reaches the sink
  const notice = sink.messages.find((m) => m.to.includes('bob@partner.test'))!;
  assert.ok(notice, 'bob got a notice');
  assert.match(text(notice), /X-Sealpost-Notification: portal-message/);
  assert.doesNotMatch(text(notice), new RegExp(MARKER), 'no content in the notice');
  const links = [...new Set([...decodedText(notice).matchAll(/https:\/\/localhost:\d+\/m\/([A-Za-z0-9_-]+)/g)].map((m) => m[0]))];
  assert.equal(links.length, 1, 'one link (in the text and, maybe, the HTML part)');
  const link = links[0]!;
  assert.ok(link.startsWith(`${portal.url}/m/`), 'the link points at the bound portal');
  assert.doesNotMatch(link, /bob|partner|@|%40/i, 'the link carries no address');
  assert.doesNotMatch(text(notice), /^Subject: .*\[secure\]/m, 'the trigger tag is gone');
  // the sender's copy with a recall link
  const senderNotice = sink.messages.find((m) => m.to.includes('alice@example.test'))!;
  assert.match(decodedText(senderNotice), /\/recall\/[A-Za-z0-9_-]{43}/);

  // at rest: ciphertext only — neither the body nor the attachment in the database files
  const store = portal.backend.ports.store;
  const [message] = await store.messages.list({ recipient: 'bob@partner.test' });
  assert.ok(message);
  assert.deepEqual([message.sender, message.recipient, message.state, message.readReceipts, message.allowReplyAll], ['alice@example.test', 'bob@partner.test', 'unread', true, true]);
  assert.deepEqual(message.attachments.map((a) => [a.filename, a.contentType]), [['figures.pdf', 'application/pdf']]);
  const db = await dbBytes(gw);
  assert.ok(db.length > 0);
  assert.equal(db.includes(Buffer.from(MARKER)), false, 'no plaintext body in the database');
  assert.equal(db.includes(Buffer.from(Buffer.from(`%PDF-1.4 ${MARKER}`).toString('base64'))), false, 'no plaintext attachment in the database');
  const body = await store.messages.readableBody(message.id, 'bob@partner.test');
  assert.ok(body.ok);
  assert.equal(body.body.ciphertext.includes(Buffer.from(MARKER)), false);
  const plain = await portal.backend.ports.openBody(message, body.body);
  assert.ok(plain.includes(Buffer.from(MARKER)), 'the key opens it');
  assert.doesNotMatch(plain.toString('latin1'), /^X-Sealpost-Encrypt/im);

  // a link scanner fetches the link: the token survives
  const token = link.slice(link.lastIndexOf('/') + 1);
  assert.equal(await get(link), 200);
  assert.equal(await get(link), 200);
  assert.equal((await store.tokens.peek(token, 'message'))?.usedAt, null, 'GET consumed nothing');

  // first read → one read receipt to the sender
  const first = await store.messages.markRead(message.id, 'bob@partner.test');
  assert.equal(first?.first, true);
  await portal.backend.ports.readReceipt(first!.message, first!.message.readAt!);
  await sink.waitFor(3, 15_000);
  const receipt = sink.messages[2]!;
  assert.deepEqual(receipt.to, ['alice@example.test']);
  assert.match(text(receipt), /X-Sealpost-Notification: read-receipt/);

  // a reply through the web app's port: inbound mail to the sender, from the system address
  const sent = await portal.backend.ports.inject({ account: 'bob@partner.test', kind: 'reply', inReplyTo: first!.message, to: ['alice@example.test'], cc: [], subject: 'Re: Quarterly figures', text: 'Thanks, Alice!', attachments: [{ filename: 'notes.txt', contentType: 'text/plain', content: Buffer.from('my notes') }] });
  await sink.waitFor(4, 15_000);
  const reply = sink.messages[3]!;
  assert.deepEqual(reply.to, ['alice@example.test']);
  assert.equal(reply.from, 'securemail@example.test');
  assert.match(text(reply), /^From: .*<securemail@example\.test>/m);
  assert.match(text(reply), /^Reply-To: bob@partner\.test/m);
  assert.match(text(reply), /^In-Reply-To: <orig-1@example\.test>/m);
  assert.match(text(reply), /Thanks, Alice!/);
  assert.match(text(reply), /X-Sealpost-Processed: [^;]+; inbound;/, 'it went through the inbound pipeline');
  const items = await store.sent.list('bob@partner.test');
  assert.deepEqual(items.map((i) => [i.id, i.kind, i.inReplyTo]), [[sent.id, 'reply', message.id]]);

  // replies go only where the profile and the original allow
  await assert.rejects(portal.backend.ports.inject({ account: 'bob@partner.test', kind: 'reply', inReplyTo: first!.message, to: ['eve@partner.test'], cc: [], subject: 'x', text: 'x', attachments: [] }), { code: 'SP_ERR_PORTAL_REPLY_REFUSED' });
  await assert.rejects(portal.backend.ports.inject({ account: 'bob@partner.test', kind: 'reply', inReplyTo: first!.message, to: ['carol@example.test'], cc: [], subject: 'x', text: 'x', attachments: [] }), { code: 'SP_ERR_PORTAL_REPLY_REFUSED' });
  await assert.rejects(portal.backend.ports.inject({ account: 'bob@partner.test', kind: 'forward', inReplyTo: first!.message, to: ['carol@example.test'], cc: [], subject: 'x', text: 'x', attachments: [] }), { code: 'SP_ERR_PORTAL_REPLY_REFUSED' }, 'forwarding is off in this profile');
  await assert.rejects(portal.backend.ports.inject({ account: 'eve@partner.test', kind: 'reply', inReplyTo: first!.message, to: ['alice@example.test'], cc: [], subject: 'x', text: 'x', attachments: [] }), { code: 'SP_ERR_PORTAL_REPLY_REFUSED' }, 'not her message');

  // recall from the command line: the key is destroyed, the store refuses the body
  const config = join(gw.dir, 'sealpost.yaml');
  const stdout = process.stdout.write;
  let printed = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((printed += String(chunk)), true)) as typeof process.stdout.write;
  let code: number;
  try {
    code = await run(['node', 'sealpost', '--config', config, '--json', 'portal', 'recall', message.id]);
  } finally {
    process.stdout.write = stdout;
  }
  assert.equal(code, 0, printed);
  assert.equal(JSON.parse(printed).recalled, true);
  assert.deepEqual(await store.messages.readableBody(message.id, 'bob@partner.test'), { ok: false, reason: 'recalled' });
  assert.equal((await store.messages.get(message.id))?.hasKey, false);
  assert.equal(await run(['node', 'sealpost', '--config', config, 'portal', 'recall', message.id]), 1, 'a second recall is a user error');
  await assert.rejects(portal.backend.ports.inject({ account: 'bob@partner.test', kind: 'reply', inReplyTo: first!.message, to: ['alice@example.test'], cc: [], subject: 'x', text: 'x', attachments: [] }), { code: 'SP_ERR_PORTAL_REPLY_REFUSED' }, 'no replies to a recalled message');
});

test('portal: a sender\'s X-Sealpost-Expiration makes the message unreadable when it passes; the lifecycle tells the sender', async (t) => {
  const { gw, sink } = await setup(t);
  const portal = gw.app.portal;
  await send(gw.port, 'alice@example.test', ['dave@partner.test'], mail('[secure] short-lived', 'X-Sealpost-Expiration: +00:00:02\r\nX-PostX-Reply-Enabled: false'));
  await sink.waitFor(2, 15_000);
  const store = portal.backend.ports.store;
  const [message] = await store.messages.list({ recipient: 'dave@partner.test' });
  assert.ok(message);
  assert.ok(message.expiresAt! - message.createdAt === 2000, 'the header set the expiry');
  assert.equal(message.allowReply, false, 'the Cisco alias turned replies off');
  assert.ok((await store.messages.readableBody(message.id, 'dave@partner.test')).ok);
  await new Promise((r) => setTimeout(r, Math.max(0, message.expiresAt! - Date.now()) + 50));
  assert.deepEqual(await store.messages.readableBody(message.id, 'dave@partner.test'), { ok: false, reason: 'expired' });
  const runResult = await portal.backend.runLifecycle();
  assert.equal(runResult.expired, 1);
  assert.equal(runResult.expiredNotices, 1);
  assert.equal((await store.messages.get(message.id))?.hasKey, false, 'the key is destroyed');
  await sink.waitFor(3, 15_000);
  const expired = sink.messages[2]!;
  assert.deepEqual(expired.to, ['alice@example.test']);
  assert.match(text(expired), /X-Sealpost-Notification: expired/);
  assert.equal((await portal.backend.runLifecycle()).expired, 0, 'once');
});

test('portal: the recall link in the sender\'s notice withdraws the message (a GET-like peek changes nothing)', async (t) => {
  const { gw, sink } = await setup(t);
  const ports = gw.app.portal.backend.ports;
  await send(gw.port, 'alice@example.test', ['erin@partner.test'], mail('[secure] oops, wrong figures'));
  await sink.waitFor(2, 15_000);
  const senderNotice = sink.messages.find((m) => m.to.includes('alice@example.test'))!;
  const token = /\/recall\/([A-Za-z0-9_-]{43})/.exec(decodedText(senderNotice))![1]!;
  const [message] = await ports.store.messages.list({ recipient: 'erin@partner.test' });
  assert.ok(message);
  assert.equal((await ports.peekRecall(token))?.id, message.id);
  assert.equal((await ports.store.messages.get(message.id))?.state, 'unread', 'looking is not recalling');
  const r = await ports.recall(token, '203.0.113.9');
  assert.equal(r?.recalled, true);
  assert.equal(await ports.recall(token), null, 'the link works once');
  assert.deepEqual(await ports.store.messages.readableBody(message.id, 'erin@partner.test'), { ok: false, reason: 'recalled' });
  const audit = await ports.store.audit.list({ messageId: message.id });
  assert.ok(audit.some((a) => a.event === 'recall' && a.address === 'alice@example.test' && a.ip === '203.0.113.9' && a.detail.via === 'link'));
  // the password-reset port: a localised notice through the Notifier, queued like any other
  await ports.sendPasswordReset('erin@partner.test', `${gw.app.portal.url}/reset/abc123`, 'de');
  await sink.waitFor(3, 15_000);
  const reset = sink.messages[2]!;
  assert.deepEqual(reset.to, ['erin@partner.test']);
  assert.match(text(reset), /X-Sealpost-Notification: portal-message/);
  assert.match(text(reset), /^Content-Language: de/m);
  assert.ok(decodedText(reset).includes(`${gw.app.portal.url}/reset/abc123`));
});

test('portal on PostgreSQL (cluster storage): deposit, notice, reply injection and recall', async (t) => {
  const tdb = await createTestDatabase();
  const sink = await startSink();
  const gw = await startGateway(
    [
      `storage: { url: "${tdb.url}" }`,
      `relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }`,
      'portal: { enabled: true, listen: "127.0.0.1:0" }',
      'profiles:',
      '  default: { order: [portal] }',
      '',
    ].join('\n'),
  );
  t.after(async () => {
    await gw.close();
    await sink.close();
    await tdb.drop();
  });
  await send(gw.port, 'alice@example.test', ['bob@partner.test'], mail('[secure] on postgres'));
  await sink.waitFor(1, 15_000);
  assert.match(text(sink.messages[0]!), /X-Sealpost-Notification: portal-message/);
  const ports = gw.app.portal.backend.ports;
  const [message] = await ports.store.messages.list({ recipient: 'bob@partner.test' });
  assert.ok(message && typeof message.createdAt === 'number' && typeof message.expiresAt === 'number', 'times come back as numbers');
  const body = await ports.store.messages.readableBody(message.id, 'bob@partner.test');
  assert.ok(body.ok && (await ports.openBody(message, body.body)).includes(Buffer.from(MARKER)));
  await ports.inject({ account: 'bob@partner.test', kind: 'reply', inReplyTo: message, to: ['alice@example.test'], cc: [], subject: 'Re: on postgres', text: 'ok', attachments: [] });
  await sink.waitFor(2, 15_000);
  assert.match(text(sink.messages[1]!), /^Reply-To: bob@partner\.test/m);
  assert.equal((await gw.app.portal.backend.lifecycle.store.messages.recall(message.id)).recalled, true);
  assert.deepEqual(await ports.store.messages.readableBody(message.id, 'bob@partner.test'), { ok: false, reason: 'recalled' });
});
