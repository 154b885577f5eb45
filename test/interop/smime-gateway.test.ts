/**
 * The S/MIME method through the whole gateway: `[secure]` mail to recipients whose certificates
 * chain to a trusted root leaves encrypted (and signed when the sender has a key), and the real
 * `openssl cms` decrypts and verifies it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { smimeScenario } from '../helpers/smime-scenario.js';

const verify = (file: string, ca: string) => execFileSync('openssl', ['cms', '-verify', '-in', file, '-CAfile', ca, '-purpose', 'smimesign'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

test('[secure] to a recipient with a trusted certificate is S/MIME-encrypted; openssl cms decrypts it; no plaintext leaves', async (t) => {
  const s = await smimeScenario(t, 'profiles: { default: { order: [smime, pgp], queueTimeout: 1h } }\n');
  await s.partner('bob@partner.test');
  const raw = 'From: alice@example.test\r\nTo: bob@partner.test, carol@nocert.test\r\nSubject: [secure] merger terms\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nThe confidential price is 42 \u20ac.\r\n';
  await s.send('alice@example.test', ['bob@partner.test', 'carol@nocert.test'], Buffer.from(raw, 'utf8'));

  await s.sink.waitFor(1, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(s.sink.messages.length, 1, 'only Bob (who has a certificate) got a copy; Carol is held');
  const got = s.sink.messages[0]!;
  assert.deepEqual(got.to, ['bob@partner.test']);
  const text = got.body.toString('latin1');
  assert.match(text, /Content-Type: application\/pkcs7-mime; smime-type=enveloped-data/);
  assert.match(text, /^Subject: merger terms\r$/m, 'trigger tag stripped from the outer subject');
  assert.doesNotMatch(text, /confidential/, 'no plaintext on the wire');

  writeFileSync(s.f('msg.eml'), got.body);
  const plain = s.decrypt('msg.eml', 'bob@partner.test').toString('utf8');
  assert.match(plain, /Content-Type: text\/plain; charset=utf-8/);
  assert.match(plain, /The confidential price is 42 \u20ac\./);

  const held = await s.gw.app.pki.selector.encryptionCertificatesFor('carol@nocert.test', Date.now());
  assert.equal(held.canEncrypt, false);
});

test('the sender\'s key signs before encryption (openssl verifies), and a Bcc recipient gets a copy of their own', async (t) => {
  const s = await smimeScenario(t);
  await s.hosted('alice@example.test');
  await s.partner('bob@partner.test');
  await s.partner('dan@partner.test');
  const raw = 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: [secure] signed offer\r\nContent-Type: text/plain\r\n\r\nOffer: 100 units.\r\n';
  await s.send('alice@example.test', ['bob@partner.test', 'dan@partner.test'], raw);
  await s.sink.waitFor(2, 20_000);
  const forBob = s.sink.messages.find((m) => m.to.includes('bob@partner.test'))!;
  const forDan = s.sink.messages.find((m) => m.to.includes('dan@partner.test'))!;
  assert.deepEqual(forBob.to, ['bob@partner.test'], 'Bob\'s copy is addressed to Bob alone');
  assert.deepEqual(forDan.to, ['dan@partner.test'], 'the Bcc recipient travels separately');
  writeFileSync(s.f('bob.eml'), forBob.body);
  const inner = s.decrypt('bob.eml', 'bob@partner.test');
  assert.throws(() => s.decrypt('bob.eml', 'dan@partner.test'), 'Dan\'s key does not open Bob\'s copy: no shared recipient list');
  writeFileSync(s.f('inner.eml'), inner);
  assert.match(verify(s.f('inner.eml'), s.f('root.pem')), /Offer: 100 units\./);
  assert.match(inner.toString('latin1'), /multipart\/signed; protocol="application\/pkcs7-signature"/);
});

test('profile smime settings: AES-256-GCM AuthEnvelopedData with RSA-OAEP and an opaque signature, read by openssl', async (t) => {
  const s = await smimeScenario(t, 'profiles: { default: { smime: { cipher: aes-256-gcm, keyTransport: rsa-oaep, signature: opaque } } }\n');
  await s.hosted('alice@example.test');
  await s.partner('bob@partner.test');
  await s.send('alice@example.test', ['bob@partner.test'], 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: [secure] gcm\r\nContent-Type: text/plain\r\n\r\nAuthenticated secret.\r\n');
  await s.sink.waitFor(1, 20_000);
  const text = s.sink.messages[0]!.body.toString('latin1');
  assert.match(text, /smime-type=authEnveloped-data/);
  writeFileSync(s.f('msg.eml'), s.sink.messages[0]!.body);
  const inner = s.decrypt('msg.eml', 'bob@partner.test');
  assert.match(inner.toString('latin1'), /smime-type=signed-data/, 'opaque signature inside');
  writeFileSync(s.f('inner.eml'), inner);
  assert.match(verify(s.f('inner.eml'), s.f('root.pem')), /Authenticated secret\./);
});

test('sign: required holds a message whose sender has no signing key, then tells the sender — the recipient never gets it', async (t) => {
  const s = await smimeScenario(t, 'profiles: { default: { sign: required, queueTimeout: 2s } }\n');
  await s.partner('bob@partner.test');
  await s.send('alice@example.test', ['bob@partner.test'], 'From: alice@example.test\r\nSubject: [secure] must be signed\r\n\r\nunsigned text\r\n');
  await s.sink.waitFor(1, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(s.sink.messages.length, 1);
  assert.deepEqual(s.sink.messages[0]!.to, ['alice@example.test']);
  assert.match(s.sink.messages[0]!.body.toString('latin1'), /X-Sealpost-Notification: encryption-failed/);
});

test('with ca.autoSigningCertificates an internal sender without a key gets one from the built-in CA; openssl verifies the signature', async (t) => {
  const s = await smimeScenario(t, 'ca: { autoSigningCertificates: true }\n');
  const cli = (...args: string[]) => execFileSync(process.execPath, [join(process.cwd(), 'bin', 'sealpost.js'), ...args, '--config', join(s.gw.dir, 'sealpost.yaml')], { cwd: s.gw.dir }).toString();
  cli('ca', 'init');
  writeFileSync(s.f('ca.pem'), cli('ca', 'export'));
  await s.partner('bob@partner.test');
  await s.send('newbie@example.test', ['bob@partner.test'], 'From: newbie@example.test\r\nSubject: [secure] first mail\r\nContent-Type: text/plain\r\n\r\nSigned by a fresh certificate.\r\n');
  await s.sink.waitFor(1, 20_000);
  writeFileSync(s.f('msg.eml'), s.sink.messages[0]!.body);
  writeFileSync(s.f('inner.eml'), s.decrypt('msg.eml', 'bob@partner.test'));
  assert.match(verify(s.f('inner.eml'), s.f('ca.pem')), /Signed by a fresh certificate\./);
  const issued = await s.gw.app.pki.stores.certificates.byEmail('newbie@example.test');
  assert.equal(issued.length, 1);
  assert.equal(issued[0]!.hasPrivateKey, true);
});
