/**
 * Interop: S/MIME signatures with the real `openssl cms`, both ways, over RSA-2048/3072/4096 and
 * EC P-256 × SHA-256/384/512 × detached/opaque; multipart/signed at the MIME level; and
 * triple-wrapped messages (sign → encrypt → sign) made by openssl, decoded by us layer by layer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decryptEnveloped, encryptEnveloped, signData, verifySignedData, type SignDigest } from '../../src/crypto/index.js';
import { buildMultipartSigned, buildPkcs7MimeEntity, readPkcs7Mime, splitMultipartSigned } from '../../src/crypto/smime-mime.js';
import { createOpensslWorkspace, type Identity, type OpensslWorkspace } from '../helpers/openssl.js';

const DIGESTS: readonly SignDigest[] = ['sha256', 'sha384', 'sha512'];

const ENTITY = Buffer.from(
  'Content-Type: multipart/mixed; boundary="mix"\r\n\r\n' +
    '--mix\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Gr=C3=BC=C3=9Fe</p>  \r\n' +
    '--mix\r\nContent-Type: application/octet-stream; name=a.bin\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQ==\r\n' +
    '--mix--\r\n',
);

describe('S/MIME signature interop with openssl cms', () => {
  let ws: OpensslWorkspace;
  let signers: Identity[];
  let rsa2048: Identity;
  let p256: Identity;

  before(async () => {
    ws = await createOpensslWorkspace();
    signers = await Promise.all([
      ws.issue('rsa2048', { type: 'rsa', bits: 2048 }),
      ws.issue('rsa3072', { type: 'rsa', bits: 3072 }),
      ws.issue('rsa4096', { type: 'rsa', bits: 4096 }),
      ws.issue('p256', { type: 'ec', curve: 'P-256' }),
    ]);
    [rsa2048, , , p256] = signers as [Identity, Identity, Identity, Identity];
  });
  after(() => ws?.close());

  it('ours → openssl cms -verify (-noverify, and -CAfile with purpose smimesign), whole matrix', async () => {
    const content = await ws.file('entity.eml', ENTITY);
    const failures: string[] = [];
    await Promise.all(
      signers.flatMap((id) =>
        DIGESTS.flatMap((digest) =>
          [true, false].map(async (detached) => {
            const der = signData({ content: ENTITY, signer: { certificate: id.certificate, privateKey: id.privateKey }, digest, detached });
            const file = await ws.file(`ours-${id.name}-${digest}-${detached}.p7s`, der);
            const base = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', file, ...(detached ? ['-content', content] : [])];
            for (const trust of [['-noverify'], ['-CAfile', ws.caFile, '-purpose', 'smimesign']]) {
              const r = await ws.run([...base, ...trust]);
              if (r.code !== 0 || !r.stdout.equals(ENTITY)) failures.push(`${id.name} ${digest} ${detached ? 'detached' : 'opaque'} ${trust[0]}: ${r.stderr.trim()}`);
            }
          }),
        ),
      ),
    );
    assert.deepEqual(failures, []);
  });

  it('openssl cms -sign → ours, whole matrix', async () => {
    const content = await ws.file('entity-in.eml', ENTITY);
    const failures: string[] = [];
    await Promise.all(
      signers.flatMap((id) =>
        DIGESTS.flatMap((digest) =>
          [true, false].map(async (detached) => {
            const der = await ws.ok(['cms', '-sign', '-binary', '-in', content, '-outform', 'DER', '-signer', id.certFile, '-inkey', id.keyFile, '-md', digest, ...(detached ? [] : ['-nodetach'])]);
            const r = verifySignedData(der, detached ? ENTITY : undefined);
            const ok = r.status === 'valid' && r.digest === digest && r.signer?.equals(id.certificate) && (detached ? r.content === null : r.content?.equals(ENTITY));
            if (!ok) failures.push(`${id.name} ${digest} ${detached ? 'detached' : 'opaque'}: ${r.status} ${r.digest}`);
            // and the same signature over other bytes is invalid
            const other = Buffer.from(ENTITY);
            other[other.length - 10]! ^= 0x20;
            if (detached && verifySignedData(der, other).status !== 'invalid') failures.push(`${id.name} ${digest}: accepted changed content`);
          }),
        ),
      ),
    );
    assert.deepEqual(failures, []);
  });

  it('openssl variants → ours: RSASSA-PSS, no signed attributes, streamed BER, chain of certificates', async () => {
    const content = await ws.file('entity-variants.eml', ENTITY);
    const sign = (extra: string[]): Promise<Buffer> => ws.ok(['cms', '-sign', '-binary', '-in', content, '-outform', 'DER', '-signer', rsa2048.certFile, '-inkey', rsa2048.keyFile, ...extra]);
    const pss = verifySignedData(await sign(['-keyopt', 'rsa_padding_mode:pss', '-md', 'sha384']), ENTITY);
    assert.equal(pss.status, 'valid', 'PSS');
    assert.equal(pss.digest, 'sha384');
    assert.equal(verifySignedData(await sign(['-noattr']), ENTITY).status, 'valid', '-noattr');
    const streamed = verifySignedData(await sign(['-nodetach', '-stream']));
    assert.ok(streamed.status === 'valid' && streamed.content?.equals(ENTITY), 'streamed BER opaque');
    const withCa = verifySignedData(await sign(['-certfile', ws.caFile]), ENTITY);
    assert.equal(withCa.status, 'valid');
    assert.equal(withCa.certificates.length, 2);
    assert.ok(withCa.signer?.equals(rsa2048.certificate));
    // SHA-1 is refused even when the signature is cryptographically fine
    assert.deepEqual([verifySignedData(await sign(['-md', 'sha1']), ENTITY).status], ['invalid']);
  });

  it('multipart/signed: ours verified by openssl in S/MIME form; openssl’s split and verified by us', async () => {
    for (const id of [rsa2048, p256]) {
      const sig = signData({ content: ENTITY, signer: { certificate: id.certificate, privateKey: id.privateKey }, digest: 'sha256', detached: true });
      const message = Buffer.concat([Buffer.from('From: a@example.test\r\nSubject: test\r\nMIME-Version: 1.0\r\n'), buildMultipartSigned(ENTITY, sig, 'sha256')]);
      const r = await ws.run(['cms', '-verify', '-in', await ws.file(`ours-${id.name}.eml`, message), '-CAfile', ws.caFile]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.equals(ENTITY));

      const theirs = await ws.ok(['cms', '-sign', '-crlfeol', '-in', await ws.file('entity-mime.eml', ENTITY), '-signer', id.certFile, '-inkey', id.keyFile]);
      const split = splitMultipartSigned(theirs);
      assert.ok(split, 'openssl multipart/signed must split');
      assert.ok(split.signedContent.equals(ENTITY));
      const v = verifySignedData(split.signature, split.signedContent);
      assert.equal(v.status, 'valid');
      assert.ok(v.signer?.equals(id.certificate));
    }
  });

  it('triple-wrapped from openssl (detached: sign → encrypt → sign), decoded by us layer by layer', async () => {
    const inner = await ws.ok(['cms', '-sign', '-crlfeol', '-in', await ws.file('tw-entity.eml', ENTITY), '-signer', p256.certFile, '-inkey', p256.keyFile, '-md', 'sha384']);
    const encrypted = await ws.ok(['cms', '-encrypt', '-binary', '-crlfeol', '-aes-256-gcm', '-in', await ws.file('tw-inner.eml', inner), rsa2048.certFile]);
    const outer = await ws.ok(['cms', '-sign', '-crlfeol', '-in', await ws.file('tw-encrypted.eml', encrypted), '-signer', rsa2048.certFile, '-inkey', rsa2048.keyFile, '-md', 'sha512']);

    const outerSplit = splitMultipartSigned(outer);
    assert.ok(outerSplit);
    const outerResult = verifySignedData(outerSplit.signature, outerSplit.signedContent);
    assert.equal(outerResult.status, 'valid');
    assert.equal(outerResult.digest, 'sha512');
    assert.ok(outerResult.signer?.equals(rsa2048.certificate));

    const envelope = readPkcs7Mime(outerSplit.signedContent);
    assert.equal(envelope?.smimeType, 'authenveloped-data');
    const decrypted = decryptEnveloped(envelope!.der, [rsa2048]);
    assert.ok(decrypted.ok);

    const innerSplit = splitMultipartSigned(decrypted.content);
    assert.ok(innerSplit);
    const innerResult = verifySignedData(innerSplit.signature, innerSplit.signedContent);
    assert.equal(innerResult.status, 'valid');
    assert.equal(innerResult.digest, 'sha384');
    assert.ok(innerResult.signer?.equals(p256.certificate));
    assert.ok(innerSplit.signedContent.equals(ENTITY));
  });

  it('triple-wrapped from openssl (opaque: sign → encrypt → sign, all application/pkcs7-mime)', async () => {
    const inner = await ws.ok(['cms', '-sign', '-nodetach', '-crlfeol', '-in', await ws.file('two-entity.eml', ENTITY), '-signer', rsa2048.certFile, '-inkey', rsa2048.keyFile]);
    const encrypted = await ws.ok(['cms', '-encrypt', '-binary', '-crlfeol', '-aes256', '-in', await ws.file('two-inner.eml', inner), p256.certFile]);
    const outer = await ws.ok(['cms', '-sign', '-nodetach', '-crlfeol', '-in', await ws.file('two-encrypted.eml', encrypted), '-signer', p256.certFile, '-inkey', p256.keyFile]);

    const outerEntity = readPkcs7Mime(outer);
    assert.equal(outerEntity?.smimeType, 'signed-data');
    const outerResult = verifySignedData(outerEntity!.der);
    assert.ok(outerResult.status === 'valid' && outerResult.content);
    const envelope = readPkcs7Mime(outerResult.content);
    assert.equal(envelope?.smimeType, 'enveloped-data');
    const decrypted = decryptEnveloped(envelope!.der, [p256]);
    assert.ok(decrypted.ok);
    const innerEntity = readPkcs7Mime(decrypted.content);
    assert.equal(innerEntity?.smimeType, 'signed-data');
    const innerResult = verifySignedData(innerEntity!.der);
    assert.equal(innerResult.status, 'valid');
    assert.ok(innerResult.signer?.equals(rsa2048.certificate));
    assert.ok(innerResult.content?.equals(ENTITY));
  });

  it('triple-wrapped by us, decoded by openssl layer by layer', async () => {
    const signer = { certificate: p256.certificate, privateKey: p256.privateKey };
    const innerSigned = buildMultipartSigned(ENTITY, signData({ content: ENTITY, signer, detached: true }), 'sha256');
    const envelope = buildPkcs7MimeEntity(encryptEnveloped({ content: innerSigned, recipients: [{ certificate: rsa2048.certificate }] }), 'enveloped-data');
    const outer = buildMultipartSigned(envelope, signData({ content: envelope, signer: { certificate: rsa2048.certificate, privateKey: rsa2048.privateKey }, detached: true }), 'sha256');

    const layer1 = await ws.ok(['cms', '-verify', '-in', await ws.file('us-outer.eml', outer), '-CAfile', ws.caFile]);
    assert.ok(layer1.equals(envelope));
    const layer2 = await ws.ok(['cms', '-decrypt', '-in', await ws.file('us-envelope.eml', layer1), '-recip', rsa2048.certFile, '-inkey', rsa2048.keyFile]);
    assert.ok(layer2.equals(innerSigned));
    const layer3 = await ws.ok(['cms', '-verify', '-in', await ws.file('us-inner.eml', layer2), '-CAfile', ws.caFile]);
    assert.ok(layer3.equals(ENTITY));
  });
});
