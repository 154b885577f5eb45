/**
 * Receiving edge, session security: STARTTLS, AUTH only under TLS (or on loopback), STARTTLS
 * command injection, aborted handshakes, implicit TLS, per-address connection limit.
 */
import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import os from 'node:os';
import { X509Certificate } from 'node:crypto';
import { Writable } from 'node:stream';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { newId } from '../../src/mail/ids.js';
import { createSmtpListener } from '../../src/receive/index.js';
import { createSelfSignedIdentity } from '../../src/receive/self-signed.js';
import { RawSmtpClient, ehlo } from '../helpers/smtp-client.js';
import { MemorySpool, listenerOptions, message, startListener, stopAll, until } from './receive-harness.js';

afterEach(stopAll);
after(stopAll);

const USERS = [{ username: 'alice', password: 'correct horse battery staple' }];
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const plain = (user: string, pass: string, authz = '') => b64(`${authz}\0${user}\0${pass}`);

/**
 * A listener that is honestly not loopback: bound to this machine's first non-loopback IPv4
 * address (reached from that same address), or to the wildcard when there is none.
 */
function publicAddress(): { bind: string; connect: string } {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return { bind: a.address, connect: a.address };
  }
  return { bind: '0.0.0.0', connect: '127.0.0.1' };
}

async function open(port: number, host: string): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect(port, host);
  assert.equal((await c.reply()).code, 220);
  return c;
}

async function upgrade(c: RawSmtpClient): Promise<void> {
  const r = await c.command('STARTTLS');
  assert.deepEqual([r.code, r.text], [220, 'Ready to start TLS']);
  assert.equal(c.queued, 0);
  await c.startTls();
}

test('non-loopback listener: AUTH hidden and refused before STARTTLS, offered after; PLAIN success relays, failure 535 5.7.8', async () => {
  const addr = publicAddress();
  const h = await startListener({ host: addr.bind, relayFrom: ['10.0.0.0/8'], auth: { required: false, users: USERS } });
  const c = await open(h.port, addr.connect);
  const before = await ehlo(c);
  assert.ok(before.includes('STARTTLS'));
  assert.ok(!before.some((k) => k.startsWith('AUTH')), `no AUTH before TLS: ${before.join(', ')}`);
  const early = await c.command(`AUTH PLAIN ${plain('alice', USERS[0]!.password)}`);
  assert.ok(early.code >= 500, `AUTH in clear refused, got ${early.code}`);
  await c.command('MAIL FROM:<alice@example.com>');
  assert.equal((await c.command('RCPT TO:<carol@elsewhere.org>')).enhanced, '5.7.1', 'not a relay before AUTH');
  await c.command('RSET');

  await upgrade(c);
  const afterTls = await ehlo(c);
  assert.ok(afterTls.includes('AUTH PLAIN LOGIN'), `AUTH offered under TLS: ${afterTls.join(', ')}`);
  assert.ok(!afterTls.includes('STARTTLS'));
  const started = Date.now();
  const wrong = await c.command(`AUTH PLAIN ${plain('alice', 'wrong')}`);
  assert.deepEqual([wrong.code, wrong.enhanced], [535, '5.7.8']);
  assert.ok(Date.now() - started >= 200, 'a failure is answered slowly');
  const ok = await c.command(`AUTH PLAIN ${plain('alice', USERS[0]!.password)}`);
  assert.deepEqual([ok.code, ok.enhanced], [235, '2.7.0']);
  assert.equal((await c.command('MAIL FROM:<>')).code, 250);
  assert.equal((await c.command('RCPT TO:<carol@elsewhere.org>')).code, 250, 'authenticated sessions relay');
  assert.equal((await c.command('DATA')).code, 354);
  assert.equal((await c.command(`${message(['Subject: x'], 'hi\r\n')}\r\n.`)).code, 250);
  await c.close();

  const m = h.spool.messages[0]!;
  assert.equal(m.session.authUser, 'alice');
  assert.equal(m.session.mayRelay, true);
  assert.deepEqual(m.envelope.recipients, [{ address: 'carol@elsewhere.org', direction: 'outbound' }]);
  assert.match(m.body.toString('latin1'), /with ESMTPSA id/);
  assert.equal(h.events('receive.auth.failed').length, 1);
  assert.equal(h.events('receive.auth.succeeded').length, 1);
  assert.ok(!JSON.stringify(h.logs).includes(USERS[0]!.password), 'no password in the logs');
});

test('AUTH LOGIN under TLS: failure then success; AUTH refused inside a transaction; foreign authzid refused', async () => {
  const addr = publicAddress();
  const h = await startListener({ host: addr.bind, relayFrom: ['10.0.0.0/8'], auth: { required: true, users: USERS } });
  const c = await open(h.port, addr.connect);
  await ehlo(c);
  await upgrade(c);
  await ehlo(c);
  assert.equal((await c.command('AUTH LOGIN')).text, 'VXNlcm5hbWU6');
  assert.equal((await c.command(b64('alice'))).text, 'UGFzc3dvcmQ6');
  const bad = await c.command(b64('nope'));
  assert.deepEqual([bad.code, bad.enhanced], [535, '5.7.8']);
  const impersonate = await c.command(`AUTH PLAIN ${plain('alice', USERS[0]!.password, 'bob')}`);
  assert.equal(impersonate.code, 535, 'an authorization identity other than the user is refused');
  await c.command('AUTH LOGIN');
  await c.command(b64('alice'));
  assert.deepEqual([(await c.command(b64(USERS[0]!.password))).code], [235]);
  await c.command('MAIL FROM:<alice@example.com>');
  const again = await c.command(`AUTH PLAIN ${plain('alice', USERS[0]!.password)}`);
  assert.equal(again.code, 503);
  await c.close();
  assert.ok(!JSON.stringify(h.logs).includes(USERS[0]!.password));
  assert.ok(!JSON.stringify(h.logs).includes(b64(USERS[0]!.password)));
});

test('nodemailer with credentials: STARTTLS, AUTH, relayed outbound', async () => {
  const addr = publicAddress();
  const h = await startListener({ host: addr.bind, relayFrom: ['10.0.0.0/8'], auth: { required: true, users: USERS } });
  const transport = nodemailer.createTransport({ host: addr.connect, port: h.port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, auth: { user: 'alice', pass: USERS[0]!.password } });
  const info = await transport.sendMail({ from: 'alice@example.com', to: 'carol@elsewhere.org', subject: 'hi', text: 'hello' });
  assert.match(info.response, /^250 2\.0\.0 Ok: queued as /);
  assert.equal(h.spool.messages[0]!.envelope.recipients[0]!.direction, 'outbound');
  await assert.rejects(
    nodemailer.createTransport({ host: addr.connect, port: h.port, secure: false, tls: { rejectUnauthorized: false }, auth: { user: 'alice', pass: 'wrong' } }).sendMail({ from: 'alice@example.com', to: 'carol@elsewhere.org', text: 'x' }),
    /535 5\.7\.8/,
  );
});

test('loopback listener offers AUTH without TLS', async () => {
  const h = await startListener({ starttls: false, relayFrom: ['10.0.0.0/8'], auth: { required: false, users: USERS } });
  const c = await open(h.port, '127.0.0.1');
  const ext = await ehlo(c);
  assert.ok(ext.includes('AUTH PLAIN LOGIN'));
  assert.ok(!ext.includes('STARTTLS'));
  assert.equal((await c.command(`AUTH PLAIN ${plain('alice', USERS[0]!.password)}`)).code, 235);
  await c.close();
});

test('listener without users never offers AUTH, even under TLS', async () => {
  const h = await startListener();
  const c = await open(h.port, '127.0.0.1');
  assert.ok(!(await ehlo(c)).some((k) => k.startsWith('AUTH')));
  await upgrade(c);
  assert.ok(!(await ehlo(c)).some((k) => k.startsWith('AUTH')));
  assert.equal((await c.command(`AUTH PLAIN ${plain('a', 'b')}`)).code >= 500, true);
  assert.equal((await c.command('WIZ secret')).code, 500, 'no sendmail easter eggs');
  await c.close();
});

test('plaintext pipelined after STARTTLS is discarded, not run before or after the handshake (CVE-2011-0411)', async () => {
  const h = await startListener({ relayFrom: ['10.0.0.0/8'] });
  const c = await open(h.port, '127.0.0.1');
  await ehlo(c);
  c.write('STARTTLS\r\nHELP\r\nMAIL FROM:<mallory@elsewhere.org>\r\nRCPT TO:<bob@example.com>\r\n');
  const r = await c.reply();
  assert.equal(r.code, 220);
  assert.equal(c.queued, 0, 'no reply to the injected commands in clear');
  assert.equal(c.partial, '');
  await c.startTls();
  const first = await c.command('NOOP');
  assert.deepEqual([first.code, first.text], [250, 'OK'], 'the first reply under TLS answers our own command, not the injected HELP');
  // the injected MAIL FROM left no transaction behind either
  const rcpt = await c.command('RCPT TO:<bob@example.com>');
  assert.equal(rcpt.code, 503);
  await ehlo(c);
  assert.equal((await c.command('RCPT TO:<bob@example.com>')).code, 503);
  assert.equal(c.queued, 0);
  await c.close();
});

test('aborted TLS handshakes (implicit TLS and STARTTLS) are logged and do not take the listener down', async () => {
  const implicit = await startListener({ implicitTls: true, starttls: false });
  const starttls = await startListener();
  // 1. cleartext SMTP on the SMTPS port
  const plainOnTls = net.connect(implicit.port, '127.0.0.1');
  plainOnTls.on('error', () => undefined);
  plainOnTls.write('EHLO plain.test\r\n');
  // 2. a truncated ClientHello, then gone
  const truncated = net.connect(implicit.port, '127.0.0.1', () => {
    truncated.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
    setTimeout(() => truncated.destroy(), 20);
  });
  truncated.on('error', () => undefined);
  // 3. STARTTLS, then garbage instead of a handshake
  const c = await open(starttls.port, '127.0.0.1');
  await ehlo(c);
  assert.equal((await c.command('STARTTLS')).code, 220);
  c.write('this is not TLS\r\n\r\n');
  await until(() => implicit.events('receive.connection.error').length >= 2 && starttls.events('receive.connection.error').length >= 1, 5_000);
  plainOnTls.destroy();
  await c.close();
  for (const line of [...implicit.events('receive.connection.error'), ...starttls.events('receive.connection.error')]) assert.equal(line.level, 20);

  // both listeners still serve real clients
  const viaSmtps = await nodemailer.createTransport({ host: '127.0.0.1', port: implicit.port, secure: true, tls: { rejectUnauthorized: false } }).sendMail({ from: 'a@example.com', to: 'bob@example.com', text: 'x' });
  assert.match(viaSmtps.response, /^250 /);
  const viaStarttls = await nodemailer.createTransport({ host: '127.0.0.1', port: starttls.port, secure: false, tls: { rejectUnauthorized: false } }).sendMail({ from: 'a@example.com', to: 'bob@example.com', text: 'x' });
  assert.match(viaStarttls.response, /^250 /);
  assert.equal(implicit.spool.messages[0]!.session.tls?.protocol, 'TLSv1.3');
  assert.match(implicit.spool.messages[0]!.body.toString('latin1'), /with ESMTPS id/);
});

test('a configured certificate is the one presented (implicit TLS and STARTTLS)', async () => {
  const identity = await createSelfSignedIdentity('mx.configured.test');
  const expected = new X509Certificate(identity.cert).fingerprint256;
  for (const implicitTls of [true, false]) {
    const h = await startListener({ tls: identity, implicitTls, starttls: !implicitTls });
    const c = await RawSmtpClient.connect(h.port, '127.0.0.1', { implicitTls });
    assert.equal((await c.reply()).code, 220);
    if (!implicitTls) {
      await ehlo(c);
      await upgrade(c);
    }
    const peer = c.tlsSocket!.getPeerX509Certificate();
    assert.equal(peer?.fingerprint256, expected);
    assert.equal(h.events('receive.tls.self-signed').length, 0);
    await c.close();
    await stopAll();
  }
});

test('TLS below 1.2 is refused', async () => {
  const h = await startListener({ implicitTls: true, starttls: false });
  // the client side is opened up as far as OpenSSL goes, so a refusal can only come from the server
  const err = await RawSmtpClient.connect(h.port, '127.0.0.1', { implicitTls: true, tlsOptions: { maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } }).then(
    () => null,
    (e: unknown) => e as Error & { code?: string },
  );
  assert.ok(err !== null, 'TLS 1.1 handshake must fail');
  assert.match(String(err.code ?? err.message), /ALERT_PROTOCOL_VERSION|TLSV1_ALERT_PROTOCOL_VERSION|protocol version/i);
});

test('per-address connection limit: the one too many gets 421 4.7.0 and is closed; a slot frees on close', async () => {
  const h = await startListener({ maxConnectionsPerIp: 2 });
  const a = await open(h.port, '127.0.0.1');
  const b = await open(h.port, '127.0.0.1');
  const c = await RawSmtpClient.connect(h.port, '127.0.0.1');
  const refused = await c.reply();
  assert.deepEqual([refused.code, refused.enhanced], [421, '4.7.0']);
  await until(() => c.closed);
  assert.equal(h.events('receive.connection.refused').length, 1);
  await a.close();
  await until(() => h.events('receive.connection.closed').length >= 2);
  const d = await open(h.port, '127.0.0.1');
  await ehlo(d);
  await Promise.all([b.close(), d.close()]);
});

test('trace level adds smtp-server protocol lines, still without passwords or bodies', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
  const listener = createSmtpListener(listenerOptions({ auth: { required: true, users: USERS } }), { spool: new MemorySpool(), logger, newId: () => newId() });
  const { port } = await listener.start();
  try {
    await nodemailer
      .createTransport({ host: '127.0.0.1', port, tls: { rejectUnauthorized: false }, auth: { user: 'alice', pass: USERS[0]!.password } })
      .sendMail({ from: 'alice@example.com', to: 'bob@example.com', text: 'BODY-MARKER' });
  } finally {
    await listener.stop();
  }
  const all = lines.join('');
  assert.match(all, /"event":"receive\.smtp\.trace".*"msg":"C: MAIL FROM:<alice@example\.com>/);
  for (const secret of [USERS[0]!.password, plain('alice', USERS[0]!.password), 'BODY-MARKER']) assert.ok(!all.includes(secret), secret);
});
