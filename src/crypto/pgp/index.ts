/**
 * crypto/pgp — the strict OpenPGP facade over openpgp 6 (DESIGN §9): pinned configuration
 * (config.ts), keys (keys.ts), messages (message.ts) and PGP/MIME / PGP/INLINE glue (mime.ts).
 * Stages import from here, never from openpgp.
 * SECURITY: see each module; in short — v4 keys, SEIPD v1+MDC unless every key announces v2,
 * no unauthenticated data, constant-time PKCS#1, bounded decompression, failures are values.
 * STANDARDS: RFC 4880, RFC 9580, RFC 3156.
 */
export { pgpConfig, DEFAULT_MAX_DECOMPRESSED, type PgpConfigOptions } from './config.js';
export * from './keys.js';
export * from './message.js';
export * from './mime.js';
