/**
 * portal/crypto — message bodies at rest in the portal: each body is encrypted under its own
 * random AES-256-GCM key, and that key is wrapped under the gateway master key
 * (keystore/key-wrap.ts). The two are stored in different tables (db/portal-store.ts), so the
 * ciphertext alone is useless and deleting the key row destroys the message (recall, expiry).
 *
 * Sealed body format (versioned, self-describing):
 *   offset  size  field
 *   0       4     magic "SPPB"
 *   4       1     format version (1)
 *   5       1     algorithm (1 = AES-256-GCM)
 *   6       12    random nonce
 *   18      n     ciphertext
 *   18+n    16    GCM tag
 * AAD = the 18-byte header + the context label (`portal-message:<id>` / `portal-sent:<id>`):
 * a body copied onto another message's row does not open. The key is wrapped with the same
 * context, so a key moved to another row does not unwrap either.
 * SECURITY: plaintext and per-message keys live only in local variables here; errors carry ids,
 * never bytes. Keys are never reused (a fresh key and nonce per body).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SealpostError, isSealpostError } from '../errors/index.js';
import { KeyWrapper } from '../keystore/key-wrap.js';
import type { SealedBody } from './store.js';

const MAGIC = Buffer.from('SPPB', 'ascii');
const VERSION = 1;
const ALG_AES256_GCM = 1;
const NONCE = 12;
const HEADER = 6 + NONCE;
const TAG = 16;

export type SealedKind = 'message' | 'sent';

/** the label a body and its key are bound to */
export function sealContext(kind: SealedKind, id: string): string {
  return `portal-${kind}:${id}`;
}

/** Encrypts `plaintext` under `key` (32 bytes) bound to `context`. */
export function encryptBody(plaintext: Buffer, key: Buffer, context: string): Buffer {
  if (key.length !== 32) throw new SealpostError('SP_ERR_INTERNAL', 'portal body key must be 32 bytes', { stage: 'portal-crypto' });
  const header = Buffer.concat([MAGIC, Buffer.from([VERSION, ALG_AES256_GCM]), randomBytes(NONCE)]);
  const cipher = createCipheriv('aes-256-gcm', key, header.subarray(6, HEADER), { authTagLength: TAG });
  cipher.setAAD(Buffer.concat([header, Buffer.from(context, 'utf8')]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/** Opens what encryptBody made; SP_ERR_STORE_CORRUPT when the bytes or the context do not match. */
export function decryptBody(sealed: Buffer, key: Buffer, context: string): Buffer {
  if (sealed.length < HEADER + TAG || !sealed.subarray(0, 4).equals(MAGIC)) throw new SealpostError('SP_ERR_STORE_CORRUPT', `the sealed body of ${context} is not a portal body (bad magic or too short)`, { stage: 'portal-crypto' });
  if (sealed[4] !== VERSION) throw new SealpostError('SP_ERR_STORE_CORRUPT', `the sealed body of ${context} has format version ${sealed[4]}; this Sealpost reads version ${VERSION}`, { stage: 'portal-crypto' });
  if (sealed[5] !== ALG_AES256_GCM) throw new SealpostError('SP_ERR_STORE_CORRUPT', `the sealed body of ${context} uses unknown algorithm ${sealed[5]}`, { stage: 'portal-crypto' });
  const header = sealed.subarray(0, HEADER);
  const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(6, HEADER), { authTagLength: TAG });
  decipher.setAAD(Buffer.concat([header, Buffer.from(context, 'utf8')]));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(HEADER, sealed.length - TAG)), decipher.final()]);
  } catch (cause) {
    throw new SealpostError('SP_ERR_STORE_CORRUPT', `the sealed body of ${context} does not authenticate (damaged, or stored under another message)`, { stage: 'portal-crypto' }, { cause });
  }
}

/** Seals and opens portal bodies and the recipients' wrapped secrets under the master key. */
export class PortalCrypto {
  readonly #wrapper: KeyWrapper;

  constructor(wrapper: KeyWrapper) {
    this.#wrapper = wrapper;
  }

  static fromMasterKey(masterKey: Buffer): PortalCrypto {
    return new PortalCrypto(new KeyWrapper(masterKey));
  }

  get kekId(): string {
    return this.#wrapper.kekId;
  }

  /** A fresh key per body; returns the ciphertext and the wrapped key (to be stored apart). */
  seal(kind: SealedKind, id: string, plaintext: Buffer): SealedBody {
    const context = sealContext(kind, id);
    const key = randomBytes(32);
    try {
      return { ciphertext: encryptBody(plaintext, key, context), wrappedKey: this.#wrapper.wrap(key, context), kekId: this.#wrapper.kekId };
    } finally {
      key.fill(0);
    }
  }

  /** Unwraps the key and opens the body; SP_ERR_STORE_CORRUPT / SP_ERR_CONFIG_INVALID (other master key) otherwise. */
  open(kind: SealedKind, id: string, sealed: SealedBody): Buffer {
    const context = sealContext(kind, id);
    let key: Buffer;
    try {
      key = this.#wrapper.unwrap(sealed.wrappedKey, context);
    } catch (err) {
      // key-wrap's messages speak of private keys; say what this one is
      if (isSealpostError(err)) throw new SealpostError(err.code, `the key of ${context} cannot be unwrapped: ${err.message}`, { stage: 'portal-crypto' }, { cause: err });
      throw err;
    }
    try {
      return decryptBody(sealed.ciphertext, key, context);
    } finally {
      key.fill(0);
    }
  }

  /** TOTP secrets and portal PDF passwords: wrapped under the master key, bound to the account. */
  wrapSecret(purpose: 'totp' | 'pdf', address: string, secret: Buffer): Buffer {
    return this.#wrapper.wrap(secret, `portal-${purpose}:${address.toLowerCase()}`);
  }

  unwrapSecret(purpose: 'totp' | 'pdf', address: string, wrapped: Buffer): Buffer {
    return this.#wrapper.unwrap(wrapped, `portal-${purpose}:${address.toLowerCase()}`);
  }
}
