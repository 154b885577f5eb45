/**
 * Domain-to-domain S/MIME: a partner's domain certificate encrypts everything to that domain, and
 * our domain key decrypts what partners send to any address of our domain — checked with openssl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { startSink } from '../helpers/sink.js';
import { startGateway } from '../helpers/gateway.js';
import { hierarchy } from '../helpers/pki.js';

test('a partner domain certificate serves every partner address; our domain key opens mail to any of our addresses', async (t) => {
  const pki = await hierarchy();
  const partnerGw = await pki.user('gateway@partner.test', { key: 'rsa' });
  const ourDomain = await pki.user('gateway@example.test', { key: 'rsa' });
  const id = (der: Buffer) => createHash('sha256').update(der).digest('hex');
  const sink = await startSink();
  const gw = await startGateway(
    `relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }\n` +
      `pki: { domains: [ { domain: partner.test, encryptTo: ["${id(partnerGw.der)}"] }, { domain: example.test, encryptTo: ["${id(ourDomain.der)}"] } ] }\n`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-smime-d2d-'));
  t.after(async () => {
    await gw.close();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const f = (name: string) => join(dir, name);
  writeFileSync(f('partner.pem'), partnerGw.pem);
  writeFileSync(f('partner.key'), partnerGw.keyPem);
  writeFileSync(f('ours.pem'), ourDomain.pem);
  writeFileSync(f('ours.key'), ourDomain.keyPem);
  execFileSync('openssl', ['pkcs12', '-export', '-in', f('ours.pem'), '-inkey', f('ours.key'), '-out', f('ours.p12'), '-passout', 'pass:domain-pw']);
  await gw.app.pki.importer.import(Buffer.from(pki.root.pem), { trust: true, name: 'root.pem' });
  await gw.app.pki.importer.import(Buffer.from(pki.intermediate.pem + partnerGw.pem), { name: 'partner.pem' });
  await gw.app.pki.importer.import(readFileSync(f('ours.p12')), { password: 'domain-pw', name: 'ours.p12' });

  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: gw.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: 'alice@example.test', to: ['anyone@partner.test'] }, raw: 'From: alice@example.test\r\nTo: anyone@partner.test\r\nSubject: [secure] d2d out\r\nContent-Type: text/plain\r\n\r\nFor the partner domain.\r\n' });
  writeFileSync(f('in.txt'), 'Content-Type: text/plain\r\n\r\nFor any of our users.\r\n');
  execFileSync('openssl', ['cms', '-encrypt', '-aes256', '-in', f('in.txt'), '-out', f('in.eml'), '-from', 'someone@partner.test', '-to', 'carol@example.test', '-subject', 'd2d in', f('ours.pem')]);
  await transport.sendMail({ envelope: { from: 'someone@partner.test', to: ['carol@example.test'] }, raw: readFileSync(f('in.eml'), 'latin1').replace(/\r?\n/g, '\r\n') });
  transport.close();
  await sink.waitFor(2, 20_000);

  const out = sink.messages.find((m) => m.to.includes('anyone@partner.test'))!;
  assert.match(out.body.toString('latin1'), /application\/pkcs7-mime/);
  writeFileSync(f('out.eml'), out.body);
  const plain = execFileSync('openssl', ['cms', '-decrypt', '-in', f('out.eml'), '-recip', f('partner.pem'), '-inkey', f('partner.key')]).toString();
  assert.match(plain, /For the partner domain\./);

  const inbound = sink.messages.find((m) => m.to.includes('carol@example.test'))!.body.toString('latin1');
  assert.match(inbound, /^X-Sealpost-Action: decrypted\r$/m);
  assert.match(inbound, /For any of our users\./);
});
