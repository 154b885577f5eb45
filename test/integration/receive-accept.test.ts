/**
 * Receiving edge, message path: what lands in the spool, directions, limits, spool failures.
 * Real peers: nodemailer for ordinary sessions, a raw socket where exact replies matter.
 */
import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { SealpostError } from '../../src/errors/index.js';
import { RawSmtpClient, ehlo } from '../helpers/smtp-client.js';
import { MemorySpool, message, startListener, stopAll, until } from './receive-harness.js';

afterEach(stopAll);
after(stopAll);

function transport(port: number, extra: Record<string, unknown> = {}) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, tls: { rejectUnauthorized: false }, ...extra });
}

const raw = Buffer.from(
  message(['From: Alice <alice@example.com>', 'To: bob@example.com', 'Subject: hello', 'X-Sealpost-Action: decrypted', 'Message-ID: <m1@example.com>'], 'line one\r\n..leading dot\r\nñ 8-bit \xe9\r\n'),
  'latin1',
);

test('an accepted message lands in the spool: envelope, directions, session, Received, body bytes unchanged', async () => {
  const h = await startListener();
  const info = await transport(h.port).sendMail({ envelope: { from: 'alice@example.com', to: ['bob@example.com', 'carol@elsewhere.org'] }, raw });
  assert.match(info.response, /^250 2\.0\.0 Ok: queued as [0-9A-Z]{26}$/);
  assert.equal(h.spool.messages.length, 1);
  const m = h.spool.messages[0]!;
  assert.equal(info.response.endsWith(m.id), true, 'the reply names the spool id');
  assert.deepEqual(m.envelope, {
    mailFrom: 'alice@example.com',
    recipients: [
      { address: 'bob@example.com', direction: 'inbound' },
      { address: 'carol@elsewhere.org', direction: 'outbound' },
    ],
  });
  assert.equal(m.session.listener, 'test');
  assert.equal(m.session.remoteAddress, '127.0.0.1');
  assert.equal(m.session.mayRelay, true);
  assert.equal(m.session.authUser, null);
  assert.ok(m.session.helo.length > 0);
  // nodemailer upgrades with STARTTLS because it is offered; the certificate is the generated one
  assert.equal(m.session.tls?.protocol, 'TLSv1.3');
  assert.match(m.session.tls?.cipher ?? '', /^TLS_/);
  const text = m.body.toString('latin1');
  const headerEnd = text.indexOf('From: Alice');
  assert.ok(headerEnd > 0);
  const received = text.slice(0, headerEnd);
  assert.match(received, /^Received: from \S+ \((?:\S+ )?\[127\.0\.0\.1\]\)\r\n\tby gw\.example\.com \(Sealpost\) with ESMTPS id [0-9A-Z]{26}\r\n\t\(version=TLSv1\.3 cipher=TLS_\w+\); \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\r\n$/);
  assert.ok(received.includes(`id ${m.id}`));
  assert.deepEqual(m.body.subarray(headerEnd), raw, 'everything after our Received header is byte-for-byte what was sent');
  assert.ok(m.session.receivedAt > 0);
  const accepted = h.events('receive.message.accepted');
  assert.equal(accepted.length, 1);
  assert.equal(accepted[0]!.messageId, m.id);
  assert.ok(!JSON.stringify(h.logs).includes('line one'), 'no body in the logs');
});

test('Received names the single recipient, and the protocol without TLS is ESMTP', async () => {
  const h = await startListener({ starttls: false });
  await transport(h.port).sendMail({ envelope: { from: '', to: ['bob@example.com'] }, raw });
  const m = h.spool.messages[0]!;
  assert.equal(m.envelope.mailFrom, '');
  assert.equal(m.session.tls, null);
  assert.match(m.body.toString('latin1'), /^Received: from .*\r\n\tby gw\.example\.com \(Sealpost\) with ESMTP id \w+\r\n\tfor <bob@example\.com>; /);
});

async function session(port: number): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect(port);
  assert.equal((await c.reply()).code, 220);
  await ehlo(c);
  return c;
}

test('relay refused (554 5.7.1) for a non-relay session to an external domain; internal accepted, with <> too', async () => {
  const h = await startListener({ relayFrom: ['10.0.0.0/8'] });
  const c = await session(h.port);
  assert.equal((await c.command('MAIL FROM:<>')).code, 250);
  const refused = await c.command('RCPT TO:<eve@elsewhere.org>');
  assert.deepEqual([refused.code, refused.enhanced, refused.text], [554, '5.7.1', 'Relay access denied']);
  assert.equal((await c.command('RCPT TO:<bob@Example.COM>')).code, 250);
  assert.equal((await c.command('RCPT TO:<eve@example.com.elsewhere.org>')).code, 554);
  assert.equal((await c.command('DATA')).code, 354);
  const done = await c.command(`${message(['Subject: x'], 'hi\r\n')}\r\n.`);
  assert.equal(done.code, 250);
  await c.close();
  assert.deepEqual(h.spool.messages[0]!.envelope.recipients, [{ address: 'bob@Example.COM', direction: 'inbound' }]);
  assert.equal(h.spool.messages[0]!.session.mayRelay, false);
  assert.equal(h.events('receive.recipient.refused').length, 2);
});

test('nodemailer sees the relay refusal as a rejected recipient', async () => {
  const h = await startListener({ relayFrom: ['10.0.0.0/8'] });
  await assert.rejects(transport(h.port).sendMail({ envelope: { from: 'x@elsewhere.org', to: ['eve@elsewhere.org'] }, raw }), /554 5\.7\.1 Relay access denied/);
  assert.equal(h.spool.messages.length, 0);
});

test('inbound listener refuses external recipients even from relay networks; outbound listener needs a relaying session', async () => {
  const inbound = await startListener({ direction: 'inbound' });
  const c = await session(inbound.port);
  await c.command('MAIL FROM:<a@elsewhere.org>');
  assert.equal((await c.command('RCPT TO:<eve@elsewhere.org>')).enhanced, '5.7.1');
  assert.equal((await c.command('RCPT TO:<bob@sub.example.com>')).code, 250);
  await c.close();

  const outboundOpen = await startListener({ direction: 'outbound' });
  await transport(outboundOpen.port).sendMail({ envelope: { from: 'a@example.com', to: ['bob@example.com', 'eve@elsewhere.org'] }, raw });
  assert.deepEqual(outboundOpen.spool.messages[0]!.envelope.recipients.map((r) => r.direction), ['outbound', 'outbound']);

  const outboundClosed = await startListener({ direction: 'outbound', relayFrom: ['10.0.0.0/8'] });
  const d = await session(outboundClosed.port);
  await d.command('MAIL FROM:<a@example.com>');
  assert.equal((await d.command('RCPT TO:<bob@example.com>')).code, 554);
  await d.close();
});

test('SIZE: refused at MAIL FROM SIZE= and at end of DATA (552 5.3.4); nothing spooled', async () => {
  const h = await startListener({ maxMessageSize: 1000 });
  const c = await session(h.port);
  const ext = await c.command('EHLO client.test');
  for (const keyword of ['SIZE 1000', '8BITMIME', 'SMTPUTF8', 'PIPELINING', 'ENHANCEDSTATUSCODES', 'STARTTLS']) {
    assert.ok(ext.lines.some((l) => l.slice(4) === keyword), `advertises ${keyword}`);
  }
  const big = await c.command('MAIL FROM:<a@example.com> SIZE=1001');
  assert.deepEqual([big.code, big.enhanced], [552, '5.3.4']);
  assert.equal((await c.command('MAIL FROM:<a@example.com> SIZE=1000')).code, 250);
  assert.equal((await c.command('RCPT TO:<bob@example.com>')).code, 250);
  assert.equal((await c.command('DATA')).code, 354);
  const over = await c.command(`${message(['Subject: big'], 'x'.repeat(2000))}\r\n.`);
  assert.deepEqual([over.code, over.enhanced], [552, '5.3.4']);
  // the session goes on: a message at the limit still passes
  await c.command('MAIL FROM:<a@example.com>');
  await c.command('RCPT TO:<bob@example.com>');
  await c.command('DATA');
  const exact = `${message(['Subject: fits'], 'y'.repeat(1000 - 20))}`;
  assert.equal(Buffer.byteLength(exact) <= 1000, true);
  assert.equal((await c.command(`${exact}\r\n.`)).code, 250);
  await c.close();
  assert.equal(h.spool.messages.length, 1);
  assert.equal(h.events('receive.message.rejected')[0]!.reason, 'too-big');
});

test('maxRecipients: the one too many gets 452 4.5.3', async () => {
  const h = await startListener({ maxRecipients: 2 });
  const c = await session(h.port);
  await c.command('MAIL FROM:<a@example.com>');
  assert.equal((await c.command('RCPT TO:<a1@example.com>')).code, 250);
  assert.equal((await c.command('RCPT TO:<a2@example.com>')).code, 250);
  const third = await c.command('RCPT TO:<a3@example.com>');
  assert.deepEqual([third.code, third.enhanced], [452, '4.5.3']);
  await c.close();
});

test('maxHops: more Received headers than allowed (ours counted) is refused 554 5.4.6', async () => {
  const h = await startListener({ maxHops: 3 });
  const hops = (n: number) => message([...Array.from({ length: n }, (_, i) => `Received: from hop${i} by x; Mon, 1 Jan 2024 00:00:00 +0000`), 'Subject: loop'], 'body\r\n');
  const c = await session(h.port);
  await c.command('MAIL FROM:<a@example.com>');
  await c.command('RCPT TO:<bob@example.com>');
  await c.command('DATA');
  assert.equal((await c.command(`${hops(2)}\r\n.`)).code, 250, 'two received + ours = 3 is within the limit');
  await c.command('MAIL FROM:<a@example.com>');
  await c.command('RCPT TO:<bob@example.com>');
  await c.command('DATA');
  const loop = await c.command(`${hops(3)}\r\n.`);
  assert.deepEqual([loop.code, loop.enhanced], [554, '5.4.6']);
  assert.match(loop.text, /too many hops/i);
  await c.close();
  assert.equal(h.spool.messages.length, 1);
});

test('spool failure answers 451 4.3.0 (SealpostError mapping or plain error) and logs the message id', async () => {
  for (const failure of [new SealpostError('SP_ERR_SPOOL_COMMIT_FAILED', 'disk full', {}), new Error('boom')]) {
    const spool = new MemorySpool();
    spool.behaviour = async () => {
      throw failure;
    };
    const h = await startListener({}, spool);
    const c = await session(h.port);
    await c.command('MAIL FROM:<a@example.com>');
    await c.command('RCPT TO:<bob@example.com>');
    await c.command('DATA');
    const r = await c.command(`${message(['Subject: x'], 'hi\r\n')}\r\n.`);
    assert.deepEqual([r.code, r.enhanced], [451, '4.3.0']);
    assert.ok(!r.text.includes('disk full') && !r.text.includes('boom'), 'internal detail stays out of the reply');
    await c.close();
    const logged = h.events('receive.spool.failed');
    assert.equal(logged.length, 1);
    assert.match(String(logged[0]!.messageId), /^[0-9A-Z]{26}$/);
    assert.equal(logged[0]!.level, 50);
    assert.equal(spool.messages.length, 0);
    await stopAll();
  }
});

test('no 250 before the spool commit resolves', async () => {
  const spool = new MemorySpool();
  let release!: () => void;
  let called = false;
  spool.behaviour = () => {
    called = true;
    return new Promise<void>((resolve) => (release = resolve));
  };
  const h = await startListener({}, spool);
  const c = await session(h.port);
  await c.command('MAIL FROM:<a@example.com>');
  await c.command('RCPT TO:<bob@example.com>');
  await c.command('DATA');
  c.write(`${message(['Subject: x'], 'hi\r\n')}\r\n.\r\n`);
  await until(() => called);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(c.queued, 0, 'nothing answered while the commit is pending');
  assert.equal(c.partial, '');
  release();
  assert.equal((await c.reply()).code, 250);
  await c.close();
});

test('requireTls refuses MAIL before STARTTLS; auth.required refuses MAIL without AUTH', async () => {
  const h = await startListener({ requireTls: true });
  const c = await session(h.port);
  const r = await c.command('MAIL FROM:<a@example.com>');
  assert.deepEqual([r.code, r.enhanced], [530, '5.7.0']);
  await c.close();

  const a = await startListener({ auth: { required: true, users: [{ username: 'u', password: 'p' }] } });
  const d = await session(a.port);
  const s = await d.command('MAIL FROM:<a@example.com>');
  assert.deepEqual([s.code, s.enhanced, s.text], [530, '5.7.0', 'Authentication required']);
  await d.close();
});

test('configuration mistakes fail at creation with context', async () => {
  await assert.rejects(startListener({ relayFrom: ['10.0.0.0/40'] }), (e: unknown) => e instanceof SealpostError && e.code === 'SP_ERR_CONFIG_INVALID');
  await assert.rejects(startListener({ requireTls: true, starttls: false }), /requireTls/);
  await assert.rejects(startListener({ auth: { required: true, users: [] } }), /auth\.required/);
});

test('IPv6 peers: relayFrom IPv6 CIDRs apply and Received shows an IPv6 address literal', async () => {
  const h = await startListener({ host: '::1', relayFrom: ['::1/128'] });
  const info = await nodemailer
    .createTransport({ host: '::1', port: h.port, secure: false, tls: { rejectUnauthorized: false } })
    .sendMail({ envelope: { from: 'a@example.com', to: ['eve@elsewhere.org'] }, raw });
  assert.match(info.response, /^250 /);
  const m = h.spool.messages[0]!;
  assert.equal(m.session.remoteAddress, '::1');
  assert.equal(m.session.mayRelay, true);
  assert.match(m.body.toString('latin1'), /^Received: from \S+ \((?:\S+ )?\[IPv6:::1\]\)/);

  const closed = await startListener({ host: '::1', relayFrom: ['2001:db8::/32', '127.0.0.0/8'] });
  await assert.rejects(
    nodemailer.createTransport({ host: '::1', port: closed.port, secure: false, tls: { rejectUnauthorized: false } }).sendMail({ envelope: { from: 'a@example.com', to: ['eve@elsewhere.org'] }, raw }),
    /554 5\.7\.1/,
  );
});
