/**
 * crypto/pgp/config — the one OpenPGP configuration every call uses (DESIGN §9 traps).
 *
 * Pinned for GnuPG 2.2 and Thunderbird: v4 keys (`v6Keys: false`), no AEAD by default
 * (`aeadProtect: false` — openpgp still picks SEIPDv2 when *every* recipient key announces the
 * seipdv2 feature, which GnuPG 2.2 keys never do), constant-time PKCS#1 v1.5 session-key
 * decryption for RSA (and it is what keeps Node 20's RSA_PKCS1_PADDING refusal out of the path),
 * no unauthenticated data (SED packets and stripped MDCs are errors), a decompression limit.
 * SECURITY: the library's global `openpgp.config` is never touched; each call gets this object.
 * STANDARDS: RFC 4880 / RFC 9580 (SEIPD v1 with MDC, SEIPD v2), RFC 3156.
 */
import * as openpgp from 'openpgp';
import { checkKeys, usageError } from '../cms/strict.js';

export interface PgpConfigOptions {
  /** largest decompressed literal data accepted (decompression bombs); default 64 MiB */
  readonly maxDecompressedBytes?: number;
}

export const DEFAULT_MAX_DECOMPRESSED = 64 * 1024 * 1024;

export function pgpConfig(options: PgpConfigOptions = {}): openpgp.PartialConfig {
  checkKeys('pgpConfig', options, ['maxDecompressedBytes']);
  const max = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED;
  if (!Number.isSafeInteger(max) || max <= 0) throw usageError('pgpConfig', `maxDecompressedBytes must be a positive integer, not ${String(max)}`);
  return {
    v6Keys: false,
    aeadProtect: false,
    constantTimePKCS1Decryption: true,
    allowUnauthenticatedMessages: false,
    allowUnauthenticatedStream: false,
    allowInsecureDecryptionWithSigningKeys: false,
    allowMissingKeyFlags: false,
    enforceGrammar: true,
    maxDecompressedMessageSize: max,
    minRSABits: 2048,
    preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256,
    preferredHashAlgorithm: openpgp.enums.hash.sha256,
    // compression leaks length information and buys little on already-compact mail; gpg reads both
    preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
    rejectHashAlgorithms: new Set([openpgp.enums.hash.md5, openpgp.enums.hash.ripemd]),
    rejectMessageHashAlgorithms: new Set([openpgp.enums.hash.md5, openpgp.enums.hash.ripemd, openpgp.enums.hash.sha1]),
    showVersion: false,
    showComment: false,
  };
}
