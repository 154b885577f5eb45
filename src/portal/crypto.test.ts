import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decryptBody, encryptBody, PortalCrypto } from './crypto.js';

const master = randomBytes(32);

test('seal → open round-trips; a fresh key and nonce per body; the ciphertext holds no plaintext', () => {
  const c = PortalCrypto.fromMasterKey(master);
  const plain = Buffer.from('Subject: figures\r\n\r\nThe secret number is 4711.\r\n');
  const a = c.seal('message', 'P1', plain);
  const b = c.seal('message', 'P1', plain);
  assert.equal(c.open('message', 'P1', a).toString(), plain.toString());
  assert.notDeepEqual(a.ciphertext, b.ciphertext);
  assert.notDeepEqual(a.wrappedKey, b.wrappedKey);
  assert.equal(a.ciphertext.includes(Buffer.from('4711')), false);
  assert.equal(a.ciphertext.length, plain.length + 18 + 16);
  assert.equal(a.kekId, c.kekId);
});

test('a body or key moved to another message, a flipped bit or another master key never opens', () => {
  const c = PortalCrypto.fromMasterKey(master);
  const sealed = c.seal('message', 'P1', Buffer.from('hello'));
  assert.throws(() => c.open('message', 'P2', sealed), (e: Error & { code?: string }) => e.code === 'SP_ERR_STORE_CORRUPT' && /portal-message:P2/.test(e.message));
  assert.throws(() => c.open('sent', 'P1', sealed), { code: 'SP_ERR_STORE_CORRUPT' });
  const other = c.seal('message', 'P2', Buffer.from('other'));
  assert.throws(() => c.open('message', 'P1', { ...sealed, ciphertext: other.ciphertext }), { code: 'SP_ERR_STORE_CORRUPT' });
  const flipped = Buffer.from(sealed.ciphertext);
  flipped[20] = flipped[20]! ^ 1;
  assert.throws(() => c.open('message', 'P1', { ...sealed, ciphertext: flipped }), { code: 'SP_ERR_STORE_CORRUPT' });
  assert.throws(() => PortalCrypto.fromMasterKey(randomBytes(32)).open('message', 'P1', sealed), { code: 'SP_ERR_CONFIG_INVALID' });
});

test('encryptBody / decryptBody bind the context and refuse foreign formats', () => {
  const key = randomBytes(32);
  const s = encryptBody(Buffer.from('x'), key, 'ctx');
  assert.equal(decryptBody(s, key, 'ctx').toString(), 'x');
  assert.throws(() => decryptBody(s, key, 'ctx2'), { code: 'SP_ERR_STORE_CORRUPT' });
  assert.throws(() => decryptBody(Buffer.from('SPKW0000000000000000000000000000000000'), key, 'ctx'), /bad magic/);
  assert.throws(() => encryptBody(Buffer.from('x'), randomBytes(16), 'ctx'), { code: 'SP_ERR_INTERNAL' });
});

test('account secrets are bound to the address', () => {
  const c = PortalCrypto.fromMasterKey(master);
  const w = c.wrapSecret('totp', 'Bob@Partner.test', Buffer.from('JBSWY3DPEHPK3PXP'));
  assert.equal(c.unwrapSecret('totp', 'bob@partner.test', w).toString(), 'JBSWY3DPEHPK3PXP');
  assert.throws(() => c.unwrapSecret('totp', 'eve@partner.test', w), { code: 'SP_ERR_STORE_CORRUPT' });
  assert.throws(() => c.unwrapSecret('pdf', 'bob@partner.test', w), { code: 'SP_ERR_STORE_CORRUPT' });
});
