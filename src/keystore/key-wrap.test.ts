/**
 * Private keys at rest: the wrapping format, the bytes in the database, a wrong master key.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createStores, openDatabase } from '../db/index.js';
import { parseCertificate } from '../pki/certificate.js';
import { newCertificate } from '../pki/importer.js';
import { issue } from '../../test/helpers/pki.js';
import { describeWrapped, KeyWrapper, WRAP_VERSION } from './key-wrap.js';
import { PrivateKeyVault } from './private-keys.js';

test('wrap/unwrap round trip; the format is self-describing; the context is bound', () => {
  const master = randomBytes(32);
  const w = new KeyWrapper(master);
  const secret = Buffer.from('a PKCS#8 key would be here');
  const wrapped = w.wrap(secret, 'cert-1');
  assert.equal(wrapped.subarray(0, 4).toString(), 'SPKW');
  assert.deepEqual(describeWrapped(wrapped), { version: WRAP_VERSION, algorithm: 'aes-256-gcm', kekId: w.kekId });
  assert.equal(w.kekId.length, 16);
  assert.ok(w.unwrap(wrapped, 'cert-1').equals(secret));
  assert.notDeepEqual(w.wrap(secret, 'cert-1'), wrapped, 'a fresh nonce every time');
  assert.throws(() => w.unwrap(wrapped, 'cert-2'), { code: 'SP_ERR_STORE_CORRUPT' });
  const flipped = Buffer.from(wrapped);
  flipped[30] = flipped[30]! ^ 1;
  assert.throws(() => w.unwrap(flipped, 'cert-1'), { code: 'SP_ERR_STORE_CORRUPT' });
  const newer = Buffer.from(wrapped);
  newer[4] = 2;
  assert.throws(() => w.unwrap(newer, 'cert-1'), /format version 2/);
  assert.equal(new KeyWrapper(Buffer.from(master)).kekId, w.kekId, 'the key id depends only on the master key');
  assert.throws(() => new KeyWrapper(randomBytes(16)), { code: 'SP_ERR_CONFIG_INVALID' });
});

test('a private key round-trips through the SQLite file encrypted: the file never holds its DER; a wrong master key fails clearly', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'k.db');
  const stores = createStores(await openDatabase(`sqlite:${file}`));
  const cert = await issue({ subject: 'CN=alice', emails: ['alice@example.test'], key: 'rsa' });
  const key = createPrivateKey(cert.keyPem);
  const pkcs8 = key.export({ format: 'der', type: 'pkcs8' });
  const parsed = parseCertificate(cert.der);
  const master = randomBytes(32);
  try {
    await stores.pki.certificates.add(newCertificate(parsed, 'import'));
    const vault = new PrivateKeyVault(stores.pki.privateKeys, stores.pki.certificates, new KeyWrapper(master));
    await vault.put(parsed.id, key);
    const back = await vault.get(parsed.id);
    assert.ok(back?.export({ format: 'der', type: 'pkcs8' }).equals(pkcs8));
    assert.equal((await stores.pki.certificates.get(parsed.id))?.hasPrivateKey, true);
    const found = await vault.forRecipient({ issuerKey: parsed.issuerKey, serial: parsed.serial });
    assert.deepEqual(found.map((f) => f.certificate.id), [parsed.id]);
    assert.equal((await vault.forRecipient({ subjectKeyId: parsed.subjectKeyId! })).length, 1);

    const row = await stores.pki.privateKeys.get(parsed.id);
    assert.ok(row);
    assert.equal(row.wrapped.indexOf(pkcs8.subarray(26, 90)), -1, 'no plaintext key bytes in the row');
    const d = key.export({ format: 'jwk' }).d!;
    assert.equal(row.wrapped.indexOf(Buffer.from(d, 'base64url').subarray(0, 32)), -1, 'not even the private exponent');

    const wrong = new PrivateKeyVault(stores.pki.privateKeys, stores.pki.certificates, new KeyWrapper(randomBytes(32)));
    await assert.rejects(wrong.get(parsed.id), (e: Error & { code?: string }) => e.code === 'SP_ERR_CONFIG_INVALID' && /wrapped under another master key/.test(e.message) && /masterKeyFile/.test(e.message));

    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await assert.rejects(vault.put(parsed.id, other), /does not belong to certificate/);
    assert.equal(await stores.pki.certificates.remove(parsed.id), true);
    assert.equal(await stores.pki.privateKeys.get(parsed.id), null, 'the key goes with its certificate');
  } finally {
    await stores.close();
  }
  const bytes = Buffer.concat([await readFile(file), await readFile(`${file}-wal`).catch(() => Buffer.alloc(0))]);
  assert.equal(bytes.indexOf(pkcs8.subarray(26, 90)), -1, 'the database files never held the key in the clear');
});
