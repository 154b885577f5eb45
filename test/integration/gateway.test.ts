/**
 * The relay path end to end: real SMTP clients → gateway (in-process, real listeners, SQLite) →
 * real SMTP sink on loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import nodemailer from 'nodemailer';
import { startSink, type Sink, type SinkMessage } from '../helpers/sink.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';

function send(port: number, from: string, to: string[], raw: string | Buffer) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  return transport.sendMail({ envelope: { from, to }, raw }).finally(() => transport.close());
}

const hops = (sink: Sink) => `relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }\n`;
const text = (m: SinkMessage) => m.body.toString('latin1');

async function withGateway(t: { after: (fn: () => Promise<void>) => void }, extra: string, sinkOptions: Parameters<typeof startSink>[0] = {}): Promise<{ gw: TestGateway; sink: Sink }> {
  const sink = await startSink(sinkOptions);
  const gw = await startGateway(hops(sink) + extra);
  t.after(async () => {
    await gw.close();
    await sink.close();
  });
  return { gw, sink };
}

test('a relayed message arrives byte for byte below our Received header and loop marker', async (t) => {
  const { gw, sink } = await withGateway(t, '');
  const raw = 'From: a@example.test\r\nTo: b@remote.test\r\nSubject: plain\r\nMessage-ID: <m1@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\u00fc\u00dfe \u2014 8-bit body\r\n.leading dot\r\n';
  await send(gw.port, 'a@example.test', ['b@remote.test'], Buffer.from(raw, 'utf8'));
  await sink.waitFor(1, 10_000);
  const got = sink.messages[0]!;
  assert.equal(got.from, 'a@example.test');
  assert.deepEqual(got.to, ['b@remote.test']);
  const body = got.body.toString('utf8');
  assert.ok(body.endsWith(raw), 'original bytes follow our headers unchanged');
  assert.match(body, /^X-Sealpost-Processed: gw\.example\.test; outbound; \d+; [A-Za-z0-9_-]{32}\r\nReceived: from /);
});

test('4xx from the next hop defers and a later attempt delivers', async (t) => {
  let refusals = 2;
  const { gw, sink } = await withGateway(t, 'delivery: { retry: [300ms] }\n', { onRcpt: () => (refusals-- > 0 ? '451 4.3.0 try again later' : null) });
  await send(gw.port, 'a@example.test', ['b@remote.test'], 'Subject: retry\r\n\r\nx\r\n');
  await sink.waitFor(1, 15_000);
  assert.equal(refusals, -1, 'two refusals, then accepted');
});

test('5xx bounces: one RFC 3464 DSN from <> to the sender, never a DSN for a DSN', async (t) => {
  const { gw, sink } = await withGateway(t, '', { onRcpt: (addr) => (addr.startsWith('nobody@') ? '550 5.1.1 no such user' : null) });
  await send(gw.port, 'alice@example.test', ['nobody@remote.test', 'bob@remote.test'], 'From: alice@example.test\r\nSubject: to two\r\n\r\nsecret body text\r\n');
  await sink.waitFor(2, 15_000);
  const delivered = sink.messages.find((m) => m.to.includes('bob@remote.test'))!;
  const dsn = sink.messages.find((m) => m.from === '')!;
  assert.ok(delivered, 'the accepted recipient got the message');
  assert.deepEqual(dsn.to, ['alice@example.test']);
  assert.match(text(dsn), /Content-Type: multipart\/report; report-type=delivery-status/);
  assert.match(text(dsn), /Final-Recipient: rfc822; ?nobody@remote\.test/);
  assert.match(text(dsn), /Action: failed/);
  assert.match(text(dsn), /Status: 5\.1\.1/);
  assert.match(text(dsn), /X-Sealpost-Notification: dsn/);
  assert.doesNotMatch(text(dsn), /secret body text/, 'the DSN returns headers only');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(sink.messages.length, 2, 'nothing else was sent');
});

test('giving up after giveUpAfter sends one DSN; a bounce to <> produces none', async (t) => {
  const { gw, sink } = await withGateway(t, 'delivery: { retry: [200ms], giveUpAfter: 1s }\n', { onRcpt: (addr) => (addr.endsWith('@remote.test') ? '421 4.4.2 busy' : null) });
  await send(gw.port, 'alice@example.test', ['b@remote.test'], 'Subject: doomed\r\n\r\nx\r\n');
  await send(gw.port, '', ['c@remote.test'], 'Subject: from null sender\r\n\r\nx\r\n');
  await sink.waitFor(1, 15_000);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(sink.messages.length, 1, 'exactly one DSN, none for the null sender');
  const dsn = sink.messages[0]!;
  assert.equal(dsn.from, '');
  assert.deepEqual(dsn.to, ['alice@example.test']);
  assert.match(text(dsn), /gave up after \d+ attempts/);
});

test('[secure] with no method is held, then returned with a notice — never delivered in clear', async (t) => {
  const { gw, sink } = await withGateway(t, 'profiles: { default: { order: [smime, pgp], queueTimeout: 2s } }\n');
  await send(gw.port, 'alice@example.test', ['bob@remote.test'], 'From: alice@example.test\r\nSubject: [secure] payroll\r\n\r\nconfidential numbers\r\n');
  await sink.waitFor(1, 15_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(sink.messages.length, 1);
  const notice = sink.messages[0]!;
  assert.deepEqual(notice.to, ['alice@example.test']);
  assert.match(text(notice), /X-Sealpost-Notification: encryption-failed/);
  assert.doesNotMatch(text(notice), /confidential numbers/);
  assert.ok(!sink.messages.some((m) => m.to.includes('bob@remote.test')), 'the recipient never got it');
});

test('the trigger header from an internal sender requires encryption and is never forwarded', async (t) => {
  const { gw, sink } = await withGateway(t, 'profiles: { default: { order: [smime, pgp], queueTimeout: 1s } }\n');
  await send(gw.port, 'alice@example.test', ['bob@remote.test', 'carol@example.test'], 'Subject: x\r\nX-Sealpost-Encrypt: yes\r\nX-Sealpost-Action: decrypted\r\n\r\nbody\r\n');
  await sink.waitFor(2, 15_000);
  const inbound = sink.messages.find((m) => m.to.includes('carol@example.test'))!;
  assert.ok(inbound, 'the internal recipient gets the message (inbound, no encryption needed)');
  assert.doesNotMatch(text(inbound), /X-Sealpost-Encrypt|X-Sealpost-Action/i, 'trigger removed, forged status header stripped');
  assert.ok(!sink.messages.some((m) => m.to.includes('bob@remote.test')), 'outbound copy held, not sent in clear');
});

test('no open relay: a session that may not relay gets 554 5.7.1 for external recipients, inbound still works', async (t) => {
  const sink = await startSink();
  const { startGateway: start } = await import('../helpers/gateway.js');
  const gw = await start(hops(sink), { listener: '{ name: main, listen: "127.0.0.1:0", direction: auto, relayFrom: [10.0.0.0/8] }' });
  t.after(async () => {
    await gw.close();
    await sink.close();
  });
  await assert.rejects(send(gw.port, 'x@anywhere.test', ['victim@remote.test'], 'Subject: spam\r\n\r\nx\r\n'), (err: { response?: string }) => /^554 5\.7\.1/.test(err.response ?? ''));
  await send(gw.port, 'x@anywhere.test', ['carol@example.test'], 'Subject: hello\r\n\r\nx\r\n');
  await sink.waitFor(1, 10_000);
  assert.deepEqual(sink.messages[0]!.to, ['carol@example.test']);
});

test('broken MIME and overlong (5000-octet) lines are relayed byte for byte', async (t) => {
  const { gw, sink } = await withGateway(t, '');
  const raw = 'Content-Type: multipart/mixed; boundary="never-closed"\r\nSubject: =?utf-8?B?broken\r\nNot a header line\r\n\r\n--never-closed\r\nContent-Type: text/plain\r\n\r\n' + 'x'.repeat(5000) + '\r\n';
  await send(gw.port, 'a@example.test', ['b@remote.test'], raw);
  await sink.waitFor(1, 10_000);
  assert.ok(sink.messages[0]!.body.toString('latin1').endsWith(raw));
});

test('when the spool cannot commit the client gets 451 and nothing is acknowledged', async (t) => {
  const { gw, sink } = await withGateway(t, '');
  // Another process holding the write lock past the busy timeout is the classic real-world
  // failure (a backup or an admin tool): the commit fails, so the 250 must not be given.
  const locker = spawn(process.execPath, ['-e', LOCKER, gw.dbFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => locker.kill('SIGKILL'));
  await once(locker.stdout!, 'data');
  await assert.rejects(send(gw.port, 'a@example.test', ['b@remote.test'], 'Subject: lost?\r\n\r\nx\r\n'), (err: { response?: string }) => /^451 4\.3\.0/.test(err.response ?? ''));
  locker.stdin!.end();
  await once(locker, 'exit');
  await send(gw.port, 'a@example.test', ['b@remote.test'], 'Subject: after\r\n\r\nx\r\n');
  await sink.waitFor(1, 20_000);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(sink.messages.length, 1, 'only the message after the lock was released');
  assert.match(text(sink.messages[0]!), /Subject: after/);
});

const LOCKER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { timeout: 10000 });
db.exec('BEGIN EXCLUSIVE');
process.stdout.write('locked\\n');
process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
process.stdin.resume();
`;
