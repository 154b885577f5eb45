/**
 * Interop: S/MIME encryption with the real `openssl cms`, both ways, over the matrix
 * RSA-2048/3072/4096 (PKCS#1 v1.5 and OAEP) and EC P-256/P-384 (ECDH) × AES-128/256-CBC and
 * AES-128/256-GCM, in DER and in S/MIME form; tampered messages from openssl all end in 'failed'.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decryptEnveloped, encryptEnveloped, type EncryptCipher, type KeyTransport } from '../../src/crypto/index.js';
import { buildPkcs7MimeEntity, readPkcs7Mime } from '../../src/crypto/smime-mime.js';
import { children, parseDer, rawOf } from '../../src/crypto/cms/der.js';
import { createOpensslWorkspace, opensslVersion, type Identity, type OpensslWorkspace } from '../helpers/openssl.js';

const CIPHERS: readonly { ours: EncryptCipher; openssl: string }[] = [
  { ours: 'aes-128-cbc', openssl: '-aes128' },
  { ours: 'aes-256-cbc', openssl: '-aes256' },
  { ours: 'aes-128-gcm', openssl: '-aes-128-gcm' },
  { ours: 'aes-256-gcm', openssl: '-aes-256-gcm' },
];

/** A MIME entity with 8-bit text, an attachment-sized body and CRLF line ends. */
const CONTENT = Buffer.concat([
  Buffer.from('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\r\n', 'latin1'),
  Buffer.from(randomBytes(6000).toString('base64').replace(/.{76}/g, '$&\r\n') + '\r\n'),
]);

/** Where the first RecipientInfo's encrypted key ends (ktri: encryptedKey; kari: first RecipientEncryptedKey). */
function encryptedKeyOffset(der: Buffer): number {
  const env = children(children(children(parseDer(der)!)![1])![0])!;
  const info = children(env[1])![0]!;
  const fields = children(info)!;
  const last = fields[fields.length - 1]!;
  const leaf = info.idBlock.tagClass === 3 ? children(children(last)![0])![1]! : last;
  const tail = rawOf(leaf).subarray(-16);
  const at = der.indexOf(tail);
  assert.ok(at > 0 && der.indexOf(tail, at + 1) === -1);
  return at + 8;
}

describe('S/MIME encryption interop with openssl cms', () => {
  let ws: OpensslWorkspace;
  let rsa: Record<2048 | 3072 | 4096, Identity>;
  let p256: Identity;
  let p384: Identity;
  let stranger: Identity;

  before(async () => {
    ws = await createOpensslWorkspace();
    const [r2, r3, r4, e256, e384, s] = await Promise.all([
      ws.issue('rsa2048', { type: 'rsa', bits: 2048 }),
      ws.issue('rsa3072', { type: 'rsa', bits: 3072 }),
      ws.issue('rsa4096', { type: 'rsa', bits: 4096 }),
      ws.issue('p256', { type: 'ec', curve: 'P-256' }),
      ws.issue('p384', { type: 'ec', curve: 'P-384' }),
      ws.issue('stranger', { type: 'rsa', bits: 2048 }),
    ]);
    rsa = { 2048: r2, 3072: r3, 4096: r4 };
    [p256, p384, stranger] = [e256, e384, s];
    console.log(`# ${(await opensslVersion()).text}`);
  });
  after(() => ws?.close());

  const recipients = (): { id: Identity; transport?: KeyTransport; label: string }[] => [
    ...([2048, 3072, 4096] as const).flatMap((bits) => [
      { id: rsa[bits], transport: 'rsa-pkcs1' as const, label: `RSA-${bits} PKCS#1 v1.5` },
      { id: rsa[bits], transport: 'rsa-oaep' as const, label: `RSA-${bits} OAEP` },
    ]),
    { id: p256, label: 'P-256 ECDH' },
    { id: p384, label: 'P-384 ECDH' },
  ];

  it('ours → openssl cms -decrypt (DER), whole matrix', async () => {
    const failures: string[] = [];
    await Promise.all(
      recipients().flatMap(({ id, transport, label }) =>
        CIPHERS.map(async (cipher) => {
          const der = encryptEnveloped({ content: CONTENT, recipients: [transport ? { certificate: id.certificate, keyTransport: transport } : { certificate: id.certificate }], cipher: cipher.ours });
          const file = await ws.file(`ours-${id.name}-${transport ?? 'ecdh'}-${cipher.ours}.der`, der);
          const r = await ws.run(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', file, '-recip', id.certFile, '-inkey', id.keyFile]);
          if (r.code !== 0 || !r.stdout.equals(CONTENT)) failures.push(`${label} ${cipher.ours}: ${r.code} ${r.stderr.trim()}`);
        }),
      ),
    );
    assert.deepEqual(failures, []);
  });

  it('ours → openssl cms -decrypt (S/MIME entity), one message to every recipient at once', async () => {
    const all = recipients().filter((r) => r.transport !== 'rsa-pkcs1');
    for (const cipher of CIPHERS) {
      const der = encryptEnveloped({ content: CONTENT, recipients: all.map(({ id, transport }) => (transport ? { certificate: id.certificate, keyTransport: transport } : { certificate: id.certificate })), cipher: cipher.ours });
      const smimeType = cipher.ours.endsWith('gcm') ? 'authEnveloped-data' : 'enveloped-data';
      const file = await ws.file(`multi-${cipher.ours}.eml`, Buffer.concat([Buffer.from('MIME-Version: 1.0\r\n'), buildPkcs7MimeEntity(der, smimeType)]));
      for (const { id, label } of all) {
        const r = await ws.run(['cms', '-decrypt', '-binary', '-in', file, '-recip', id.certFile, '-inkey', id.keyFile]);
        assert.equal(r.code, 0, `${label} ${cipher.ours}: ${r.stderr}`);
        assert.ok(r.stdout.equals(CONTENT), `${label} ${cipher.ours}: content differs`);
      }
    }
  });

  it('openssl cms -encrypt → ours, whole matrix (OAEP with SHA-1 and SHA-256, ECDH KDF SHA-1 and SHA-256)', async () => {
    const input = await ws.file('content.bin', CONTENT);
    const variants: { id: Identity; opts: string[]; label: string }[] = [
      ...([2048, 3072, 4096] as const).flatMap((bits) => [
        { id: rsa[bits], opts: [], label: `RSA-${bits} PKCS#1 v1.5` },
        { id: rsa[bits], opts: ['-keyopt', 'rsa_padding_mode:oaep'], label: `RSA-${bits} OAEP-SHA1` },
        { id: rsa[bits], opts: ['-keyopt', 'rsa_padding_mode:oaep', '-keyopt', 'rsa_oaep_md:sha256'], label: `RSA-${bits} OAEP-SHA256` },
      ]),
      { id: p256, opts: [], label: 'P-256 ECDH (sha1kdf)' },
      { id: p256, opts: ['-keyopt', 'ecdh_kdf_md:sha256'], label: 'P-256 ECDH (sha256kdf)' },
      { id: p384, opts: ['-keyopt', 'ecdh_kdf_md:sha384'], label: 'P-384 ECDH (sha384kdf)' },
    ];
    const failures: string[] = [];
    await Promise.all(
      variants.flatMap(({ id, opts, label }) =>
        CIPHERS.map(async (cipher) => {
          const der = await ws.ok(['cms', '-encrypt', '-binary', '-in', input, '-outform', 'DER', cipher.openssl, '-recip', id.certFile, ...opts]);
          const result = decryptEnveloped(der, [{ certificate: id.certificate, privateKey: id.privateKey }]);
          if (!result.ok || !result.content.equals(CONTENT) || result.cipher !== cipher.ours || !result.recipient.equals(id.certificate)) {
            failures.push(`${label} ${cipher.openssl}: ${JSON.stringify(result.ok ? { cipher: result.cipher } : result)}`);
          }
        }),
      ),
    );
    assert.deepEqual(failures, []);
  });

  it('openssl S/MIME output (-stream BER, -crlfeol) and legacy ciphers (AES-192, 3DES) → ours', async () => {
    const input = await ws.file('content-smime.bin', CONTENT);
    const smime = await ws.ok(['cms', '-encrypt', '-binary', '-stream', '-crlfeol', '-in', input, '-aes256', rsa[2048].certFile, p256.certFile]);
    const entity = readPkcs7Mime(smime);
    assert.equal(entity?.smimeType, 'enveloped-data');
    for (const id of [rsa[2048], p256]) {
      const r = decryptEnveloped(entity!.der, [id]);
      assert.ok(r.ok && r.content.equals(CONTENT), id.name);
    }
    const gcm = readPkcs7Mime(await ws.ok(['cms', '-encrypt', '-binary', '-crlfeol', '-in', input, '-aes-128-gcm', p384.certFile]));
    assert.equal(gcm?.smimeType, 'authenveloped-data');
    assert.ok(decryptEnveloped(gcm!.der, [p384]).ok);
    for (const [flag, name] of [['-aes192', 'aes-192-cbc'], ['-des3', 'des-ede3-cbc']] as const) {
      const der = await ws.ok(['cms', '-encrypt', '-binary', '-in', input, '-outform', 'DER', flag, rsa[2048].certFile]);
      const r = decryptEnveloped(der, [rsa[2048]]);
      assert.ok(r.ok && r.cipher === name && r.content.equals(CONTENT), flag);
    }
  });

  it("mail from openssl to someone else is 'not-for-us'; to us and others, we find our copy", async () => {
    const input = await ws.file('content-others.bin', CONTENT);
    const others = await ws.ok(['cms', '-encrypt', '-binary', '-in', input, '-outform', 'DER', '-aes256', stranger.certFile, p384.certFile]);
    assert.deepEqual(decryptEnveloped(others, [rsa[2048], p256]), { ok: false, reason: 'not-for-us' });
    const shared = await ws.ok(['cms', '-encrypt', '-binary', '-in', input, '-outform', 'DER', '-aes256', stranger.certFile, p256.certFile, rsa[3072].certFile]);
    const r = decryptEnveloped(shared, [rsa[2048], rsa[3072]]);
    assert.ok(r.ok && r.recipient.equals(rsa[3072].certificate));
  });

  it("tampered openssl messages — encrypted key, content, tag, truncation, wrong key — are all exactly 'failed'", async () => {
    const input = await ws.file('content-tamper.bin', CONTENT);
    const FAILED = { ok: false, reason: 'failed' };
    for (const { id, opts, cipher } of [
      { id: rsa[2048], opts: [], cipher: '-aes256' },
      { id: rsa[2048], opts: [], cipher: '-aes-256-gcm' },
      { id: rsa[3072], opts: ['-keyopt', 'rsa_padding_mode:oaep'], cipher: '-aes128' },
      { id: p256, opts: [], cipher: '-aes-128-gcm' },
      { id: p256, opts: [], cipher: '-aes256' },
    ]) {
      const der = await ws.ok(['cms', '-encrypt', '-binary', '-in', input, '-outform', 'DER', cipher, '-recip', id.certFile, ...opts]);
      const label = `${id.name} ${opts.join(' ')} ${cipher}`;
      const flip = (at: number, mask = 0xff): Buffer => {
        const copy = Buffer.from(der);
        copy[at]! ^= mask;
        return copy;
      };
      const gcm = cipher.endsWith('gcm');
      const keyByte = encryptedKeyOffset(der);
      // content: GCM — anywhere in the ciphertext (before the 18-byte mac); CBC — the last
      // byte of the penultimate block, which decides the padding of the last one
      const contentByte = gcm ? der.length - 18 - 500 : der.length - 17;
      const cases: [string, Buffer, typeof id][] = [
        ['encrypted key', flip(keyByte), id],
        ['content', flip(contentByte), id],
        ['truncated', der.subarray(0, der.length - 40), id],
        ['truncated to the header', der.subarray(0, 64), id],
        ['wrong key', der, { ...id, privateKey: (id === p256 ? p384 : stranger).privateKey }],
      ];
      if (gcm) cases.push(['mac', flip(der.length - 1, 0x01), id]);
      for (const [what, bytes, key] of cases) {
        assert.deepEqual(decryptEnveloped(bytes, [{ certificate: key.certificate, privateKey: key.privateKey }]), FAILED, `${label}: ${what}`);
      }
      // openssl agrees that these are not decryptable
      const r = await ws.run(['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', await ws.file('tampered.der', flip(contentByte)), '-recip', id.certFile, '-inkey', id.keyFile]);
      assert.notEqual(r.code === 0 && r.stdout.equals(CONTENT), true, `${label}: openssl decrypted a tampered message`);
    }
  });
});
