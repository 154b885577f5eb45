/**
 * crypto/pgp/keys — reading, describing and generating OpenPGP keys (transferable public and
 * secret keys) through openpgp with the pinned configuration (config.ts).
 *
 * readKeyBlocks accepts what administrators and peers hand over: one or several ASCII-armored
 * blocks (public or private, concatenated in one file, with text around them) or binary key
 * rings. describeKey answers the questions key selection asks, at a given time: expired?
 * revoked? encryption-capable subkey? which addresses (from user IDs that verify)? announces
 * SEIPDv2?
 * SECURITY: key bytes are untrusted input; a block that does not parse fails the whole read with
 * a PgpKeyError (no partial import). Secret keys are handed back as openpgp objects only.
 * STANDARDS: RFC 4880 §11.1–11.2 (transferable keys), RFC 9580 §5.2.3.32 (features), RFC 4880 §6.2 (armor).
 */
import * as openpgp from 'openpgp';
import { checkKeys, checkOneOf } from '../cms/strict.js';
import { pgpConfig } from './config.js';

/** RFC 9580 §5.2.3.32 features flag "Version 2 SEIPD" (openpgp's enums type omits `features`) */
const SEIPDV2_FEATURE = 0x08;

export class PgpKeyError extends Error {
  override readonly name = 'PgpKeyError';
}

export type PgpKey = openpgp.Key;
export type PgpPrivateKey = openpgp.PrivateKey;
export type PgpPublicKey = openpgp.PublicKey;

/** the full openpgp Config (methods on Message/Key want a complete one, not a partial) */
export function fullConfig(partial: openpgp.PartialConfig = pgpConfig()): openpgp.Config {
  return { ...openpgp.config, ...partial } as openpgp.Config;
}

const ARMOR_BLOCK = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

/** Every key in `bytes`: armored blocks (any number, text around them ignored) or a binary key ring. */
export async function readKeyBlocks(bytes: Buffer | Uint8Array): Promise<PgpKey[]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('latin1');
  const config = pgpConfig();
  const blocks = text.match(ARMOR_BLOCK);
  try {
    if (blocks) {
      const keys: PgpKey[] = [];
      for (const armoredKeys of blocks) keys.push(...(await openpgp.readKeys({ armoredKeys, config })));
      return keys;
    }
    if (/-----BEGIN PGP/.test(text)) throw new PgpKeyError('the file holds an armored block that is not a key block (a message or signature?)');
    return await openpgp.readKeys({ binaryKeys: new Uint8Array(buf), config });
  } catch (err) {
    if (err instanceof PgpKeyError) throw err;
    throw new PgpKeyError(`not an OpenPGP key: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A single key from its binary serialisation (as the keyring stores it). */
export async function readBinaryKey(bytes: Uint8Array): Promise<PgpKey> {
  return openpgp.readKey({ binaryKey: bytes, config: pgpConfig() });
}

export interface PgpKeyInfo {
  /** primary key fingerprint, 40 (v4) lowercase hex digits */
  readonly fingerprint: string;
  /** 16 lowercase hex digits */
  readonly keyId: string;
  /** key ids of the primary key and every subkey (message recipients name these) */
  readonly keyIds: readonly string[];
  readonly version: number;
  /** e.g. rsa3072, eddsaLegacy/ed25519Legacy */
  readonly algorithm: string;
  readonly userIds: readonly string[];
  /** lowercased addresses of user IDs whose self-signature verifies at `now` */
  readonly emails: readonly string[];
  readonly createdAt: number;
  /** null = never expires */
  readonly expiresAt: number | null;
  readonly revoked: boolean;
  readonly expired: boolean;
  /** the primary key verifies at `now` (not revoked, not expired, valid self-signature) */
  readonly valid: boolean;
  /** a usable encryption (sub)key exists at `now` */
  readonly canEncrypt: boolean;
  readonly canSign: boolean;
  /** the key announces SEIPD v2 (RFC 9580 features bit 0x08) */
  readonly seipdv2: boolean;
  readonly isPrivate: boolean;
}

function algorithmName(key: PgpKey): string {
  const a = key.getAlgorithmInfo();
  return a.bits ? `${a.algorithm}${a.bits}` : a.curve ? `${a.algorithm}/${a.curve}` : a.algorithm;
}

async function ok(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch {
    return false;
  }
}

export async function describeKey(key: PgpKey, now = Date.now()): Promise<PgpKeyInfo> {
  const date = new Date(now);
  const config = fullConfig();
  const emails = new Set<string>();
  for (const user of key.users) {
    const email = user.userID?.email?.trim().toLowerCase();
    if (email && (await ok(user.verify(date, config)))) emails.add(email);
  }
  let expiresAt: number | null = null;
  try {
    const exp = await key.getExpirationTime(undefined, config);
    expiresAt = exp instanceof Date ? exp.getTime() : null;
  } catch {
    expiresAt = null;
  }
  const revoked = await key.isRevoked(undefined, undefined, date, config).catch(() => false);
  const valid = await ok(key.verifyPrimaryKey(date, undefined, config));
  let seipdv2 = false;
  try {
    const primary = await key.getPrimaryUser(date, undefined, config);
    seipdv2 = Boolean((primary.selfCertification.features?.[0] ?? 0) & SEIPDV2_FEATURE);
  } catch {
    seipdv2 = false;
  }
  return {
    fingerprint: key.getFingerprint().toLowerCase(),
    keyId: key.getKeyID().toHex().toLowerCase(),
    keyIds: key.getKeyIDs().map((k) => k.toHex().toLowerCase()),
    version: key.keyPacket.version,
    algorithm: algorithmName(key),
    userIds: key.getUserIDs(),
    emails: [...emails],
    createdAt: key.getCreationTime().getTime(),
    expiresAt,
    revoked,
    expired: expiresAt !== null && expiresAt <= now,
    valid,
    canEncrypt: valid && (await ok(key.getEncryptionKey(undefined, date, undefined, config))),
    canSign: valid && key.isPrivate() && (await ok(key.getSigningKey(undefined, date, undefined, config))),
    seipdv2,
    isPrivate: key.isPrivate(),
  };
}

/** True when user ID `address` (case-insensitive) is on the key with a self-signature valid at `now`. */
export async function hasValidUserId(key: PgpKey, address: string, now = Date.now()): Promise<boolean> {
  const want = address.trim().toLowerCase();
  const config = fullConfig();
  for (const user of key.users) {
    if (user.userID?.email?.trim().toLowerCase() === want && (await ok(user.verify(new Date(now), config)))) return true;
  }
  return false;
}

export type PgpKeyType = 'rsa3072' | 'rsa4096' | 'curve25519';

export interface GenerateOptions {
  /** the user ID's address; a domain key may have a name only */
  readonly email?: string;
  readonly name?: string;
  /** curve25519 = EdDSA (ed25519Legacy) + ECDH (curve25519Legacy) v4 keys that GnuPG 2.2 reads */
  readonly type?: PgpKeyType;
  /** seconds from now; 0/undefined = never */
  readonly expiresInSeconds?: number;
  readonly date?: Date;
}

/** A new v4 key pair (primary key certifies + signs, one encryption subkey), unprotected. */
export async function generateKeyPair(options: GenerateOptions): Promise<{ privateKey: PgpPrivateKey; publicKey: PgpPublicKey; revocationCertificate: string }> {
  checkKeys('generateKeyPair', options, ['email', 'name', 'type', 'expiresInSeconds', 'date']);
  if (!options.email && !options.name) throw new Error('generateKeyPair: give an email or a name');
  const type = options.type ?? 'curve25519';
  checkOneOf('generateKeyPair', 'type', type, ['rsa3072', 'rsa4096', 'curve25519'] as const);
  const algo = type === 'curve25519' ? { type: 'ecc' as const, curve: 'curve25519Legacy' as const } : { type: 'rsa' as const, rsaBits: type === 'rsa3072' ? 3072 : 4096 };
  const r = await openpgp.generateKey({
    ...algo,
    userIDs: [{ ...(options.email ? { email: options.email } : {}), ...(options.name ? { name: options.name } : {}) }],
    keyExpirationTime: options.expiresInSeconds ?? 0,
    ...(options.date ? { date: options.date } : {}),
    format: 'object',
    config: pgpConfig(),
  });
  return { privateKey: r.privateKey, publicKey: r.publicKey, revocationCertificate: r.revocationCertificate };
}

/** Unlocks a passphrase-protected secret key (import); an unprotected key is returned as is. */
export async function unlockKey(key: PgpPrivateKey, passphrase: string | undefined): Promise<PgpPrivateKey> {
  if (key.isDecrypted()) return key;
  if (passphrase === undefined) throw new PgpKeyError(`the secret key ${key.getFingerprint().toLowerCase()} is protected by a passphrase: give --passphrase-file`);
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase, config: pgpConfig() });
  } catch {
    throw new PgpKeyError(`wrong passphrase for the secret key ${key.getFingerprint().toLowerCase()}`);
  }
}

export function armorKey(key: PgpKey): string {
  return key.armor(fullConfig());
}
