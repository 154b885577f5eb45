import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  base64Lines,
  buildMultipartSigned,
  buildPkcs7MimeEntity,
  readPkcs7Mime,
  splitMultipartSigned,
  toCanonicalCrlf,
} from './smime-mime.js';

const ENTITY = Buffer.from(
  'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n--inner\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe   \r\n--inner--\r\n',
  'latin1',
);

describe('S/MIME MIME glue', () => {
  it('base64 lines are 76 characters and end in CRLF', () => {
    const text = base64Lines(randomBytes(1000));
    const lines = text.split('\r\n');
    assert.equal(lines.pop(), '');
    assert.ok(lines.slice(0, -1).every((l) => l.length === 76));
    assert.ok(lines[lines.length - 1]!.length <= 76);
    assert.ok(!/[^\r]\n/.test(text));
  });

  it('builds application/pkcs7-mime entities and reads them back', () => {
    const der = randomBytes(500);
    for (const type of ['enveloped-data', 'authEnveloped-data', 'signed-data'] as const) {
      const entity = buildPkcs7MimeEntity(der, type);
      assert.match(entity.toString('latin1'), new RegExp(`^Content-Type: application/pkcs7-mime; smime-type=${type}; name=smime.p7m\r\n`));
      assert.deepEqual(readPkcs7Mime(entity), { smimeType: type.toLowerCase(), der });
    }
    assert.throws(() => buildPkcs7MimeEntity(der, 'compressed-data' as never), /smime-type/);
  });

  it('reads x-pkcs7-mime, folded headers and binary transfer encoding; refuses other types', () => {
    const der = randomBytes(64);
    const folded = Buffer.concat([
      Buffer.from('Content-Type: application/x-pkcs7-mime;\r\n\tsmime-type="Enveloped-Data"; name="smime.p7m"\r\nContent-Transfer-Encoding: binary\r\n\r\n'),
      der,
    ]);
    assert.deepEqual(readPkcs7Mime(folded), { smimeType: 'enveloped-data', der });
    assert.equal(readPkcs7Mime(Buffer.from('Content-Type: text/plain\r\n\r\nhello\r\n')), null);
    assert.equal(readPkcs7Mime(Buffer.from('Content-Type: application/pkcs7-mime\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n')), null);
    assert.equal(readPkcs7Mime(Buffer.alloc(0)), null);
  });

  it('multipart/signed round trip keeps the signed entity byte for byte', () => {
    const signature = randomBytes(700);
    const built = buildMultipartSigned(ENTITY, signature, 'sha384');
    assert.match(built.toString('latin1'), /^Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"; micalg=sha-384;\r\n boundary="/);
    const split = splitMultipartSigned(built);
    assert.ok(split);
    assert.ok(split.signedContent.equals(ENTITY), 'first part must be the exact entity');
    assert.ok(split.signature.equals(signature));
    assert.equal(split.micalg, 'sha-384');
    // with a message header block on top, as delivered
    const message = Buffer.concat([Buffer.from('From: a@example.test\r\nMIME-Version: 1.0\r\n'), built]);
    assert.ok(splitMultipartSigned(message)?.signedContent.equals(ENTITY));
  });

  it('an entity without a final CRLF, or ending in blank lines, is kept exactly', () => {
    for (const entity of [Buffer.from('Content-Type: text/plain\r\n\r\nno final newline'), Buffer.from('Content-Type: text/plain\r\n\r\nblank lines\r\n\r\n\r\n')]) {
      const split = splitMultipartSigned(buildMultipartSigned(entity, Buffer.from([1, 2, 3]), 'sha256'));
      assert.ok(split?.signedContent.equals(entity));
    }
  });

  it('refuses to build over a non-canonical entity; toCanonicalCrlf fixes it', () => {
    const lf = Buffer.from('Content-Type: text/plain\n\nline\r\nline\n');
    assert.throws(() => buildMultipartSigned(lf, Buffer.from([1]), 'sha256'), /CRLF/);
    assert.deepEqual(toCanonicalCrlf(lf), Buffer.from('Content-Type: text/plain\r\n\r\nline\r\nline\r\n'));
    assert.throws(() => buildMultipartSigned(ENTITY, Buffer.from([1]), 'md5' as never), /digest/);
  });

  it('splits what other agents write: preamble, epilogue, transport padding, quoted and x- protocol', () => {
    const sig = Buffer.from('signature bytes');
    const text =
      'Content-Type: multipart/signed; micalg="SHA-256";\r\n boundary=----B0UND; protocol="application/x-pkcs7-signature"\r\n\r\n' +
      'preamble text\r\n------B0UND  \r\n' +
      'Content-Type: text/plain\r\n\r\nbody with ------B0UND inside a line\r\n' +
      '\r\n------B0UND\r\nContent-Type: application/x-pkcs7-signature; name=smime.p7s\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      base64Lines(sig) +
      '\r\n------B0UND--\r\nepilogue\r\n';
    const split = splitMultipartSigned(Buffer.from(text));
    assert.ok(split);
    assert.equal(split.signedContent.toString(), 'Content-Type: text/plain\r\n\r\nbody with ------B0UND inside a line\r\n');
    assert.ok(split.signature.equals(sig));
    assert.equal(split.micalg, 'sha-256');
  });

  it('splits LF-only messages too (files on disk), keeping the bytes as they are', () => {
    const text = 'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/pkcs7-signature\nContent-Transfer-Encoding: base64\n\nAQID\n--b--\n';
    const split = splitMultipartSigned(Buffer.from(text));
    assert.equal(split?.signedContent.toString(), 'Content-Type: text/plain\n\nhi');
    assert.deepEqual(split?.signature, Buffer.from([1, 2, 3]));
  });

  it('returns null for anything that is not a well-formed multipart/signed', () => {
    const good = buildMultipartSigned(ENTITY, Buffer.from([1, 2, 3]), 'sha256').toString('latin1');
    const boundary = /boundary="([^"]+)"/.exec(good)![1]!;
    const cases = [
      '',
      'Content-Type: text/plain\r\n\r\nhi\r\n',
      good.replace('protocol="application/pkcs7-signature"', 'protocol="application/pgp-signature"'),
      good.replace(/; protocol="[^"]+"/, ''),
      good.replace(/;\r\n boundary="[^"]+"/, ''),
      good.replace(`--${boundary}--`, `--${boundary}`), // no closing delimiter
      good.slice(0, good.indexOf(`\r\n--${boundary}\r\nContent-Type: application/pkcs7-signature`)), // one part only
      good.replace('Content-Type: application/pkcs7-signature; name=smime.p7s', 'Content-Type: text/plain'),
    ];
    for (const c of cases) assert.equal(splitMultipartSigned(Buffer.from(c, 'latin1')), null, JSON.stringify(c.slice(0, 80)));
    for (let i = 0; i < 200; i++) {
      const copy = Buffer.from(good, 'latin1');
      copy[Math.floor(Math.random() * copy.length)] = Math.floor(Math.random() * 256);
      splitMultipartSigned(copy); // must not throw
    }
  });
});
