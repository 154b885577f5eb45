import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageDraft } from '../mime/draft.js';
import { detectCrypto } from './content-type.js';

test('a real OpenSSL CMS envelope counts as S/MIME-encrypted; the same label on plaintext does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-ct-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=bob', '-days', '1'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'in.txt'), 'Content-Type: text/plain\r\n\r\nsecret\r\n');
  execFileSync('openssl', ['cms', '-encrypt', '-aes256', '-in', join(dir, 'in.txt'), '-out', join(dir, 'out.eml'), join(dir, 'c.pem')]);
  const real = MessageDraft.parse(readFileSync(join(dir, 'out.eml')));
  assert.equal(detectCrypto(real).encrypted, 'smime');
  const fake = MessageDraft.parse(Buffer.from('Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\nSGVsbG8gcGxhaW50ZXh0IHNlY3JldHM=\r\n'));
  assert.equal(detectCrypto(fake).encrypted, null);
});

test('PGP/MIME needs an armored message, inline PGP is recognised, signatures by protocol', () => {
  const pgp = 'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary=b\r\n\r\n--b\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA\r\n-----END PGP MESSAGE-----\r\n--b--\r\n';
  assert.equal(detectCrypto(MessageDraft.parse(Buffer.from(pgp))).encrypted, 'pgp');
  assert.equal(detectCrypto(MessageDraft.parse(Buffer.from(pgp.replace(/-----BEGIN PGP MESSAGE-----/, 'plain')))).encrypted, null);
  assert.equal(detectCrypto(MessageDraft.parse(Buffer.from('Subject: x\r\n\r\n-----BEGIN PGP MESSAGE-----\r\nabc\r\n'))).encrypted, 'pgp');
  assert.equal(detectCrypto(MessageDraft.parse(Buffer.from('Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=x\r\n\r\n'))).signed, 'smime');
});
