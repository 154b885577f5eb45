/**
 * The S/MIME method through the whole gateway: a `[secure]` message to a recipient whose
 * certificate chains to a trusted root leaves encrypted, and the real `openssl cms` decrypts it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { startSink } from '../helpers/sink.js';
import { startGateway } from '../helpers/gateway.js';
import { hierarchy } from '../helpers/pki.js';

test('[secure] to a recipient with a trusted certificate is S/MIME-encrypted; openssl cms decrypts it; no plaintext leaves', async (t) => {
  const sink = await startSink();
  const gw = await startGateway(`relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }\nprofiles: { default: { queueTimeout: 1h } }\n`);
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-smime-gw-'));
  t.after(async () => {
    await gw.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const pki = await hierarchy();
  const bob = await pki.user('bob@partner.test', { key: 'rsa' });
  await gw.app.pki.importer.import(Buffer.from(pki.root.pem), { trust: true, name: 'root.pem' });
  await gw.app.pki.importer.import(Buffer.from(pki.intermediate.pem + bob.pem), { name: 'bob.pem' });

  const raw = 'From: alice@example.test\r\nTo: bob@partner.test, carol@nocert.test\r\nSubject: [secure] merger terms\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nThe confidential price is 42 \u20ac.\r\n';
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: gw.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: 'alice@example.test', to: ['bob@partner.test', 'carol@nocert.test'] }, raw: Buffer.from(raw, 'utf8') });
  transport.close();

  await sink.waitFor(1, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(sink.messages.length, 1, 'only Bob (who has a certificate) got a copy; Carol is held');
  const got = sink.messages[0]!;
  assert.deepEqual(got.to, ['bob@partner.test']);
  const text = got.body.toString('latin1');
  assert.match(text, /Content-Type: application\/pkcs7-mime; smime-type=enveloped-data/);
  assert.match(text, /^Subject: merger terms\r$/m, 'trigger tag stripped from the outer subject');
  assert.doesNotMatch(text, /confidential/, 'no plaintext on the wire');

  writeFileSync(join(dir, 'msg.eml'), got.body);
  writeFileSync(join(dir, 'bob.pem'), bob.pem);
  writeFileSync(join(dir, 'bob.key'), bob.keyPem);
  const plain = execFileSync('openssl', ['cms', '-decrypt', '-in', join(dir, 'msg.eml'), '-recip', join(dir, 'bob.pem'), '-inkey', join(dir, 'bob.key')]).toString('utf8');
  assert.match(plain, /Content-Type: text\/plain; charset=utf-8/);
  assert.match(plain, /The confidential price is 42 \u20ac\./);

  const held = await gw.app.pki.selector.encryptionCertificatesFor('carol@nocert.test', Date.now());
  assert.equal(held.canEncrypt, false);
});

test('the sender\'s key signs before encryption (openssl verifies), and a Bcc recipient gets a copy of their own', async (t) => {
  const sink = await startSink();
  const gw = await startGateway(`relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }\n`);
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-smime-sign-'));
  t.after(async () => {
    await gw.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const f = (name: string) => join(dir, name);
  const pki = await hierarchy();
  const alice = await pki.user('alice@example.test', { key: 'rsa' });
  const bob = await pki.user('bob@partner.test', { key: 'rsa' });
  const dan = await pki.user('dan@partner.test', { key: 'rsa' });
  for (const [name, who] of [['alice', alice], ['bob', bob], ['dan', dan]] as const) {
    writeFileSync(f(`${name}.pem`), who.pem);
    writeFileSync(f(`${name}.key`), who.keyPem);
  }
  writeFileSync(f('root.pem'), pki.root.pem);
  execFileSync('openssl', ['pkcs12', '-export', '-in', f('alice.pem'), '-inkey', f('alice.key'), '-out', f('alice.p12'), '-passout', 'pass:pw-alice-1']);
  await gw.app.pki.importer.import(Buffer.from(pki.root.pem), { trust: true, name: 'root.pem' });
  await gw.app.pki.importer.import(Buffer.from(pki.intermediate.pem + bob.pem + dan.pem), { name: 'partners.pem' });
  await gw.app.pki.importer.import(readFileSync(f('alice.p12')), { password: 'pw-alice-1', name: 'alice.p12' });

  const raw = 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: [secure] signed offer\r\nContent-Type: text/plain\r\n\r\nOffer: 100 units.\r\n';
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: gw.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: 'alice@example.test', to: ['bob@partner.test', 'dan@partner.test'] }, raw });
  transport.close();
  await sink.waitFor(2, 20_000);
  const forBob = sink.messages.find((m) => m.to.includes('bob@partner.test'))!;
  const forDan = sink.messages.find((m) => m.to.includes('dan@partner.test'))!;
  assert.deepEqual(forBob.to, ['bob@partner.test'], 'Bob\'s copy is addressed to Bob alone');
  assert.deepEqual(forDan.to, ['dan@partner.test'], 'the Bcc recipient travels separately');
  writeFileSync(f('bob.eml'), forBob.body);
  const decrypt = (file: string, who: string) => execFileSync('openssl', ['cms', '-decrypt', '-in', f(file), '-recip', f(`${who}.pem`), '-inkey', f(`${who}.key`)], { stdio: ['ignore', 'pipe', 'ignore'] });
  const inner = decrypt('bob.eml', 'bob');
  assert.throws(() => decrypt('bob.eml', 'dan'), 'Dan\'s key does not open Bob\'s copy: no shared recipient list');
  writeFileSync(f('inner.eml'), inner);
  const verified = execFileSync('openssl', ['cms', '-verify', '-in', f('inner.eml'), '-CAfile', f('root.pem'), '-purpose', 'smimesign'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  assert.match(verified, /Offer: 100 units\./);
  assert.match(inner.toString('latin1'), /multipart\/signed; protocol="application\/pkcs7-signature"/);
});

test('profile smime settings: AES-256-GCM AuthEnvelopedData with RSA-OAEP and an opaque signature, read by openssl', async (t) => {
  const sink = await startSink();
  const gw = await startGateway(`relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }\nprofiles: { default: { smime: { cipher: aes-256-gcm, keyTransport: rsa-oaep, signature: opaque } } }\n`);
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-smime-gcm-'));
  t.after(async () => {
    await gw.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const f = (name: string) => join(dir, name);
  const pki = await hierarchy();
  const alice = await pki.user('alice@example.test', { key: 'rsa' });
  const bob = await pki.user('bob@partner.test', { key: 'rsa' });
  writeFileSync(f('alice.pem'), alice.pem);
  writeFileSync(f('alice.key'), alice.keyPem);
  writeFileSync(f('bob.pem'), bob.pem);
  writeFileSync(f('bob.key'), bob.keyPem);
  writeFileSync(f('root.pem'), pki.root.pem);
  execFileSync('openssl', ['pkcs12', '-export', '-in', f('alice.pem'), '-inkey', f('alice.key'), '-out', f('alice.p12'), '-passout', 'pass:pw-alice-2']);
  await gw.app.pki.importer.import(Buffer.from(pki.root.pem), { trust: true, name: 'root.pem' });
  await gw.app.pki.importer.import(Buffer.from(pki.intermediate.pem + bob.pem), { name: 'bob.pem' });
  await gw.app.pki.importer.import(readFileSync(f('alice.p12')), { password: 'pw-alice-2', name: 'alice.p12' });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: gw.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: 'alice@example.test', to: ['bob@partner.test'] }, raw: 'From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: [secure] gcm\r\nContent-Type: text/plain\r\n\r\nAuthenticated secret.\r\n' });
  transport.close();
  await sink.waitFor(1, 20_000);
  const text = sink.messages[0]!.body.toString('latin1');
  assert.match(text, /smime-type=authEnveloped-data/);
  writeFileSync(f('msg.eml'), sink.messages[0]!.body);
  const inner = execFileSync('openssl', ['cms', '-decrypt', '-in', f('msg.eml'), '-recip', f('bob.pem'), '-inkey', f('bob.key')]);
  assert.match(inner.toString('latin1'), /smime-type=signed-data/, 'opaque signature inside');
  writeFileSync(f('inner.eml'), inner);
  const verified = execFileSync('openssl', ['cms', '-verify', '-in', f('inner.eml'), '-CAfile', f('root.pem'), '-purpose', 'smimesign'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  assert.match(verified, /Authenticated secret\./);
});

test('sign: required holds a message whose sender has no signing key, then tells the sender — the recipient never gets it', async (t) => {
  const sink = await startSink();
  const gw = await startGateway(`relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }\nprofiles: { default: { sign: required, queueTimeout: 2s } }\n`);
  t.after(async () => {
    await gw.close();
    await sink.close();
  });
  const pki = await hierarchy();
  const bob = await pki.user('bob@partner.test', { key: 'rsa' });
  await gw.app.pki.importer.import(Buffer.from(pki.root.pem), { trust: true, name: 'root.pem' });
  await gw.app.pki.importer.import(Buffer.from(pki.intermediate.pem + bob.pem), { name: 'bob.pem' });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: gw.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: 'alice@example.test', to: ['bob@partner.test'] }, raw: 'From: alice@example.test\r\nSubject: [secure] must be signed\r\n\r\nunsigned text\r\n' });
  transport.close();
  await sink.waitFor(1, 20_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(sink.messages.length, 1);
  assert.deepEqual(sink.messages[0]!.to, ['alice@example.test']);
  assert.match(sink.messages[0]!.body.toString('latin1'), /X-Sealpost-Notification: encryption-failed/);
});

test('with ca.autoSigningCertificates an internal sender without a key gets one from the built-in CA; openssl verifies the signature', async (t) => {
  const sink = await startSink();
  const gw = await startGateway(`relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }\nca: { autoSigningCertificates: true }\n`);
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-smime-auto-'));
  t.after(async () => {
    await gw.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const f = (name: string) => join(dir, name);
  const cli = (...args: string[]) => execFileSync(process.execPath, [join(process.cwd(), 'bin', 'sealpost.js'), ...args, '--config', join(gw.dir, 'sealpost.yaml')], { cwd: gw.dir }).toString();
  cli('ca', 'init');
  writeFileSync(f('ca.pem'), cli('ca', 'export'));
  const pki = await hierarchy();
  const bob = await pki.user('bob@partner.test', { key: 'rsa' });
  writeFileSync(f('bob.pem'), bob.pem);
  writeFileSync(f('bob.key'), bob.keyPem);
  await gw.app.pki.importer.import(Buffer.from(pki.root.pem), { trust: true, name: 'root.pem' });
  await gw.app.pki.importer.import(Buffer.from(pki.intermediate.pem + bob.pem), { name: 'bob.pem' });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: gw.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: 'newbie@example.test', to: ['bob@partner.test'] }, raw: 'From: newbie@example.test\r\nSubject: [secure] first mail\r\nContent-Type: text/plain\r\n\r\nSigned by a fresh certificate.\r\n' });
  transport.close();
  await sink.waitFor(1, 20_000);
  writeFileSync(f('msg.eml'), sink.messages[0]!.body);
  writeFileSync(f('inner.eml'), execFileSync('openssl', ['cms', '-decrypt', '-in', f('msg.eml'), '-recip', f('bob.pem'), '-inkey', f('bob.key')]));
  const out = execFileSync('openssl', ['cms', '-verify', '-in', f('inner.eml'), '-CAfile', f('ca.pem'), '-purpose', 'smimesign'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  assert.match(out, /Signed by a fresh certificate\./);
  const issued = await gw.app.pki.stores.certificates.byEmail('newbie@example.test');
  assert.equal(issued.length, 1);
  assert.equal(issued[0]!.hasPrivateKey, true);
});
