/**
 * The CipherMail promise, "four recipients, four methods", through the whole gateway over SMTP:
 * one `[secure]` message to
 *   - bob@smime.test  (a trusted S/MIME certificate)         → S/MIME, opened by `openssl cms`
 *   - carol@pgp.test  (an imported OpenPGP key)              → PGP/MIME, opened by `gpg`
 *   - dave@tls.test   (nothing, but a verified-TLS next hop)  → plaintext over verified TLS (profile
 *                                                              tlsInsteadOfEncryption: preferred)
 *   - erin@none.test  (nothing)                               → an AES-256 PDF; the password goes to
 *                                                              the sender; qpdf + pdftotext open it
 * arrives as four correct deliveries, and no plaintext travels where it must not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealpost } from '../helpers/cli.js';
import { pdfTools } from '../helpers/pdf.js';
import { startSink } from '../helpers/sink.js';
import { smimeScenario } from '../helpers/smime-scenario.js';

const SECRET = 'The launch date is 14 March; budget 2.4 million.';

/** A throw-away GnuPG home with one Curve25519 key for `email` (no passphrase). */
function gpgHome(email: string): { home: string; gpg: (args: string[], input?: Buffer) => Buffer; cleanup(): void } {
  const home = mkdtempSync(join(tmpdir(), 'sealpost-gpg-'));
  const gpg = (args: string[], input?: Buffer) => execFileSync('gpg', ['--homedir', home, '--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] });
  gpg(['--quick-generate-key', email, 'ed25519', 'sign', '1y']);
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(['--with-colons', '--list-keys', email]).toString())![1]!;
  gpg(['--quick-add-key', fpr, 'cv25519', 'encr', '1y']);
  return { home, gpg, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

function pdfPart(raw: string): Buffer {
  const m = /Content-Type: application\/pdf[^]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n(?:--|$)/i.exec(raw);
  assert.ok(m, 'the message carries a PDF attachment');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

test('one message, four recipients, four methods: S/MIME, PGP, verified TLS and PDF', async (t) => {
  const tlsSink = await startSink({ tls: true });
  t.after(() => tlsSink.close());
  const caFile = join(tmpdir(), `sealpost-four-${process.pid}.pem`);
  writeFileSync(caFile, tlsSink.cert!);
  const s = await smimeScenario(t, `profiles: { default: { order: [smime, pgp, pdf], tlsInsteadOfEncryption: preferred, queueTimeout: 1h } }\ndelivery: { retry: [1h], tls: { caFile: "${caFile}" } }\n`, {
    routes: `{ domain: tls.test, to: "smtp://127.0.0.1:${tlsSink.port}" }`,
  });
  await s.partner('bob@smime.test');
  const carol = gpgHome('carol@pgp.test');
  t.after(() => carol.cleanup());
  writeFileSync(s.f('carol.asc'), carol.gpg(['--armor', '--export', 'carol@pgp.test']));
  const imported = await sealpost(['pgp', 'import', s.f('carol.asc'), '--config', join(s.gw.dir, 'sealpost.yaml')], s.gw.dir);
  assert.equal(imported.code, 0, imported.stderr);

  const to = 'bob@smime.test, carol@pgp.test, dave@tls.test, erin@none.test';
  const raw = `From: alice@example.test\r\nTo: ${to}\r\nSubject: [secure] launch plan\r\nMessage-ID: <four@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${SECRET}\r\n`;
  await s.send('alice@example.test', ['bob@smime.test', 'carol@pgp.test', 'dave@tls.test', 'erin@none.test'], raw);

  // plain sink: Bob (S/MIME), Carol (PGP), Erin (PDF) and Alice's password notice
  await s.sink.waitFor(4, 30_000);
  await tlsSink.waitFor(1, 30_000);
  const at = (rcpt: string) => s.sink.messages.find((m) => m.to.includes(rcpt));
  for (const m of s.sink.messages) assert.equal(m.to.length, 1, 'one delivery per method');
  for (const rcpt of ['bob@smime.test', 'carol@pgp.test', 'erin@none.test']) {
    assert.ok(at(rcpt), `${rcpt} got a delivery`);
    assert.ok(!at(rcpt)!.body.toString('latin1').includes('launch date'), `no plaintext for ${rcpt} over the unverified hop`);
  }

  writeFileSync(s.f('bob.eml'), at('bob@smime.test')!.body);
  assert.match(s.decrypt('bob.eml', 'bob@smime.test').toString('utf8'), /The launch date is 14 March/);

  const forCarol = at('carol@pgp.test')!.body.toString('latin1');
  assert.match(forCarol, /multipart\/encrypted; .*protocol="application\/pgp-encrypted"/s);
  const armored = /-----BEGIN PGP MESSAGE-----[^]*?-----END PGP MESSAGE-----/.exec(forCarol)![0];
  assert.match(carol.gpg(['--decrypt'], Buffer.from(armored)).toString('utf8'), /The launch date is 14 March/);

  const forDave = tlsSink.messages[0]!;
  assert.deepEqual(forDave.to, ['dave@tls.test']);
  assert.equal(forDave.tls, true);
  assert.match(forDave.body.toString('utf8'), /The launch date is 14 March/);

  const notice = s.sink.messages.find((m) => m.to.includes('alice@example.test'));
  assert.ok(notice, 'the sender got the PDF password');
  assert.match(notice.body.toString('latin1'), /^X-Sealpost-Notification: pdf-password\r$/m);
  const password = /^Password: (\S+)\r?$/m.exec(notice.body.toString('utf8'))?.[1];
  assert.ok(password, 'a Password: line of its own');
  const pdf = pdfPart(at('erin@none.test')!.body.toString('latin1'));
  const tools = pdfTools();
  t.after(() => tools.cleanup());
  assert.notEqual(tools.tryDecrypt(pdf, 'wrong-password').status, 0, 'the PDF does not open without the password');
  assert.equal(tools.encryption(pdf, password).R, 6);
  assert.match(tools.text(pdf, password), /The launch date is 14 March/);
});
