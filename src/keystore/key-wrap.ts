/**
 * keystore/key-wrap — private keys at rest: AES-256-GCM under a key-encryption key derived from
 * the master key, in a versioned, self-describing byte format (docs/adr/0005-key-wrapping.md).
 *
 *   offset  size  field
 *   0       4     magic "SPKW"
 *   4       1     format version (1)
 *   5       1     algorithm (1 = AES-256-GCM, KEK = HKDF-SHA256(master key, info "sealpost/key-wrap/v1/kek"))
 *   6       8     KEK id = HKDF-SHA256(master key, info "sealpost/key-wrap/v1/kek-id"), not secret
 *   14      12    random nonce
 *   26      n     ciphertext (the PKCS#8 DER of the key)
 *   26+n    16    GCM tag
 *
 * The 26-byte header and a context label (the certificate id the key belongs to) are the AAD:
 * a wrapped key copied onto another certificate's row, or a header edited, fails to unwrap.
 * The KEK id tells "wrong master key" apart from "damaged row" before any decryption.
 * SECURITY: the master key never leaves this module's objects; plaintext buffers returned by
 * unwrap are the caller's to drop. No key material or wrapped bytes are logged or put in errors.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SealpostError } from '../errors/index.js';

const MAGIC = Buffer.from('SPKW', 'ascii');
export const WRAP_VERSION = 1;
const ALG_AES256_GCM = 1;
const HEADER = 26;
const TAG = 16;
const NONCE = 12;

function derive(master: Buffer, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), Buffer.from(info, 'utf8'), length));
}

export interface WrappedInfo {
  readonly version: number;
  readonly algorithm: 'aes-256-gcm';
  readonly kekId: string;
}

/** Reads the self-describing header; throws SP_ERR_STORE_CORRUPT when it is not ours or too new. */
export function describeWrapped(wrapped: Buffer): WrappedInfo {
  if (wrapped.length < HEADER + TAG || !wrapped.subarray(0, 4).equals(MAGIC)) throw new SealpostError('SP_ERR_STORE_CORRUPT', 'not a wrapped private key (bad magic or too short)', { stage: 'keystore' });
  const version = wrapped[4]!;
  if (version !== WRAP_VERSION) throw new SealpostError('SP_ERR_STORE_CORRUPT', `wrapped private key has format version ${version}; this Sealpost reads version ${WRAP_VERSION} (written by a newer release?)`, { stage: 'keystore' });
  if (wrapped[5] !== ALG_AES256_GCM) throw new SealpostError('SP_ERR_STORE_CORRUPT', `wrapped private key uses unknown algorithm ${wrapped[5]}`, { stage: 'keystore' });
  return { version, algorithm: 'aes-256-gcm', kekId: wrapped.subarray(6, 14).toString('hex') };
}

export class KeyWrapper {
  readonly #kek: Buffer;
  readonly #kekIdBytes: Buffer;
  /** identifies the master key (hex, 16 digits); stored beside wrapped keys */
  readonly kekId: string;

  constructor(masterKey: Buffer) {
    if (masterKey.length < 32) throw new SealpostError('SP_ERR_CONFIG_INVALID', 'the master key must hold at least 32 bytes', { stage: 'keystore' });
    this.#kek = derive(masterKey, 'sealpost/key-wrap/v1/kek', 32);
    this.#kekIdBytes = derive(masterKey, 'sealpost/key-wrap/v1/kek-id', 8);
    this.kekId = this.#kekIdBytes.toString('hex');
  }

  /** Wraps `plaintext` (a PKCS#8 DER) bound to `context` (e.g. the certificate id). */
  wrap(plaintext: Buffer, context: string): Buffer {
    const header = Buffer.concat([MAGIC, Buffer.from([WRAP_VERSION, ALG_AES256_GCM]), this.#kekIdBytes, randomBytes(NONCE)]);
    const cipher = createCipheriv('aes-256-gcm', this.#kek, header.subarray(14, HEADER), { authTagLength: TAG });
    cipher.setAAD(Buffer.concat([header, Buffer.from(context, 'utf8')]));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([header, body, cipher.getAuthTag()]);
  }

  /**
   * Unwraps what `wrap` made with the same master key and context. A different master key fails
   * with SP_ERR_CONFIG_INVALID naming both key ids; damage or a wrong context with SP_ERR_STORE_CORRUPT.
   */
  unwrap(wrapped: Buffer, context: string): Buffer {
    const info = describeWrapped(wrapped);
    if (!timingSafeEqual(wrapped.subarray(6, 14), this.#kekIdBytes)) {
      throw new SealpostError('SP_ERR_CONFIG_INVALID', `the private key of ${context} was wrapped under another master key (key id ${info.kekId}; the configured secrets.masterKeyFile has key id ${this.kekId})`, { stage: 'keystore' });
    }
    const header = wrapped.subarray(0, HEADER);
    const decipher = createDecipheriv('aes-256-gcm', this.#kek, header.subarray(14, HEADER), { authTagLength: TAG });
    decipher.setAAD(Buffer.concat([header, Buffer.from(context, 'utf8')]));
    decipher.setAuthTag(wrapped.subarray(wrapped.length - TAG));
    try {
      return Buffer.concat([decipher.update(wrapped.subarray(HEADER, wrapped.length - TAG)), decipher.final()]);
    } catch {
      throw new SealpostError('SP_ERR_STORE_CORRUPT', `the wrapped private key of ${context} does not authenticate (damaged, or stored under another certificate)`, { stage: 'keystore' });
    }
  }
}
