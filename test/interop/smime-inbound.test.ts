/**
 * Inbound S/MIME through the whole gateway, with mail made by the real `openssl cms`:
 * decrypted with a hosted key (imported as PKCS#12), signatures verified, verdicts in headers,
 * tampered mail tagged and delivered as received.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileStem, smimeScenario } from '../helpers/smime-scenario.js';

test('openssl-encrypted (and signed-then-encrypted) mail to a hosted key arrives decrypted with verdict headers; tampered mail is tagged', async (t) => {
  const s = await smimeScenario(t);
  const { f, sink, gw } = s;
  await s.hosted('dave@example.test');
  await s.outsider('erin@remote.test');
  const DAVE = fileStem('dave@example.test');
  const ERIN = fileStem('erin@remote.test');
  writeFileSync(f('chain.pem'), s.pki.intermediate.pem);

  writeFileSync(f('inner.txt'), 'Content-Type: text/plain; charset=us-ascii\r\n\r\nThe launch code is 0000.\r\n');
  // 1: encrypted only
  execFileSync('openssl', ['cms', '-encrypt', '-aes256', '-in', f('inner.txt'), '-out', f('enc.eml'), '-from', 'erin@remote.test', '-to', 'dave@example.test', '-subject', 'plain encrypted', f(`${DAVE}.pem`)]);
  // 2: signed by Erin (chain included), then encrypted
  execFileSync('openssl', ['cms', '-sign', '-in', f('inner.txt'), '-out', f('signed.eml'), '-signer', f(`${ERIN}.pem`), '-inkey', f(`${ERIN}.key`), '-certfile', f('chain.pem')]);
  execFileSync('openssl', ['cms', '-encrypt', '-aes256', '-in', f('signed.eml'), '-out', f('signenc.eml'), '-from', 'erin@remote.test', '-to', 'dave@example.test', '-subject', 'signed and encrypted', f(`${DAVE}.pem`)]);
  // 4: triple-wrapped: signed, encrypted, signed again (opaque outer signature)
  execFileSync('openssl', ['cms', '-encrypt', '-aes256', '-in', f('signed.eml'), '-out', f('signenc-body.eml'), f(`${DAVE}.pem`)]);
  execFileSync('openssl', ['cms', '-sign', '-nodetach', '-in', f('signenc-body.eml'), '-out', f('triple.eml'), '-signer', f(`${ERIN}.pem`), '-inkey', f(`${ERIN}.key`), '-certfile', f('chain.pem'), '-from', 'erin@remote.test', '-to', 'dave@example.test', '-subject', 'triple wrapped']);
  // 3: tampered ciphertext
  const enc = readFileSync(f('enc.eml'), 'latin1').replace(/\r?\n/g, '\n');
  const [head, ...rest] = enc.split('\n\n');
  const body = rest.join('\n\n');
  // flip base64 characters in the middle of the ciphertext (the encrypted content, past the key)
  const mid = Math.floor(body.length * 0.7);
  const flipped = body.slice(0, mid) + body.slice(mid, mid + 8).replace(/[A-Za-z0-9+/]/g, (c) => (c === 'A' ? 'B' : 'A')) + body.slice(mid + 8);
  const tampered = `${head!.replace('Subject: plain encrypted', 'Subject: tampered')}\n\n${flipped}`;

  for (const raw of [readFileSync(f('enc.eml')), readFileSync(f('signenc.eml')), Buffer.from(tampered, 'latin1'), readFileSync(f('triple.eml'))]) {
    await s.send('erin@remote.test', ['dave@example.test'], raw.toString('latin1').replace(/\r?\n/g, '\r\n'));
  }
  await sink.waitFor(4, 20_000);
  const bySubject = (subject: string) => sink.messages.find((m) => m.body.toString("latin1").includes(`Subject: ${subject}`))!.body.toString('latin1');

  const plain = bySubject('plain encrypted');
  assert.match(plain, /^X-Sealpost-Action: decrypted\r$/m);
  assert.match(plain, /^X-Sealpost-Signature: none\r$/m);
  assert.match(plain, /The launch code is 0000\./);
  assert.doesNotMatch(plain, /application\/(x-)?pkcs7-mime/);

  const signed = bySubject('signed and encrypted');
  assert.match(signed, /^X-Sealpost-Action: decrypted\r$/m);
  assert.match(signed, /^X-Sealpost-Signature: valid; signer=erin@remote\.test\r$/m);
  assert.match(signed, /multipart\/signed/, 'the detached signature is kept for the client');
  assert.ok((await gw.app.pki.stores.certificates.byEmail('erin@remote.test')).length > 0, "the verified signer's certificate was learnt");

  const triple = bySubject('triple wrapped');
  assert.match(triple, /^X-Sealpost-Action: decrypted\r$/m);
  assert.match(triple, /^X-Sealpost-Signature: valid; signer=erin@remote\.test\r$/m);
  assert.match(triple, /The launch code is 0000\./);

  const bad = bySubject('tampered');
  assert.match(bad, /^X-Sealpost-Action: failed-to-decrypt\r$/m);
  assert.match(bad, /application\/(x-)?pkcs7-mime/, 'delivered as received');
});

test('protected headers (Thunderbird): the encrypted inner Subject replaces the outer placeholder, no field is duplicated', async (t) => {
  const s = await smimeScenario(t);
  const { f, sink } = s;
  await s.hosted('dave@example.test');
  const DAVE = fileStem('dave@example.test');
  // the sender also tries to smuggle our verdict in through the encrypted header block
  writeFileSync(f('inner.txt'), 'Content-Type: text/plain; charset=us-ascii; protected-headers="v1"\r\nSubject: Board minutes, confidential\r\nFrom: erin@remote.test\r\nTo: dave@example.test\r\nX-Sealpost-Signature: valid; signer=ceo@example.test\r\n\r\nMinutes attached.\r\n');
  execFileSync('openssl', ['cms', '-encrypt', '-aes256', '-in', f('inner.txt'), '-out', f('hp.eml'), '-from', 'erin@remote.test', '-to', 'dave@example.test', '-subject', '...', f(`${DAVE}.pem`)]);
  await s.send('erin@remote.test', ['dave@example.test'], readFileSync(f('hp.eml'), 'latin1').replace(/\r?\n/g, '\r\n'));
  await sink.waitFor(1, 20_000);
  const got = sink.messages[0]!.body.toString('latin1');
  assert.match(got, /^X-Sealpost-Action: decrypted\r$/m);
  assert.deepEqual(got.match(/^Subject: .*$/gm), ['Subject: Board minutes, confidential'], 'one Subject, the protected one');
  assert.equal(got.match(/^From: /gm)?.length, 1, 'From is not duplicated');
  assert.equal(got.match(/^To: /gm)?.length, 1, 'To is not duplicated');
  assert.match(got, /Minutes attached\./);
  assert.deepEqual(got.match(/^X-Sealpost-Signature: .*$/gm), ['X-Sealpost-Signature: none'], 'only our verdict; the forged one inside the encryption is dropped');
});
