/**
 * crypto/pgp/message — encrypt, sign, decrypt and verify OpenPGP messages with the pinned
 * configuration. Outcomes that mail produces every day (not for us, no integrity protection,
 * damaged, bad signature) are values; only programming errors throw.
 *
 * Encryption: SEIPD v1 with MDC for every recipient set unless *all* recipient keys announce
 * SEIPDv2 (then openpgp writes SEIPDv2/OCB); AES-256 when all keys prefer it, else AES-128.
 * Decryption refuses, before any private-key operation, messages whose data packet is a plain
 * Symmetrically Encrypted Data packet (tag 9: no integrity protection — the EFAIL/MDC-stripping
 * downgrade) or an AEAD packet we do not speak; a SEIPD v1 whose MDC does not match (tampered,
 * truncated, stripped) fails as a whole, never returns partial plaintext.
 * SECURITY: every decryption failure other than "not encrypted to any key we hold" is the same
 * value (`failed`), so the caller cannot become an oracle; RSA session keys are decrypted in
 * constant time (config.ts). Decompressed data is bounded (maxDecompressedBytes).
 * STANDARDS: RFC 4880 §5.13–5.14, RFC 9580 §5.13 (SEIPD v1/v2), §5.2 (signatures), §7 (cleartext).
 */
import * as openpgp from 'openpgp';
import { checkKeys } from '../cms/strict.js';
import { DEFAULT_MAX_DECOMPRESSED, pgpConfig } from './config.js';
import { fullConfig, type PgpPrivateKey, type PgpPublicKey } from './keys.js';
import { rsaSessionKeys } from './rsa-session-key.js';

export interface EncryptOptions {
  readonly content: Buffer;
  readonly encryptionKeys: readonly PgpPublicKey[];
  /** sign inside the encryption (RFC 3156 §6.2 combined form) */
  readonly signingKey?: PgpPrivateKey;
  /** literal data format: binary (a MIME entity, PGP/MIME) or utf8 text (PGP/INLINE) */
  readonly format?: 'binary' | 'utf8';
  readonly now?: number;
}

export interface EncryptResult {
  readonly armored: string;
  /** 1 = SEIPD v1 with MDC, 2 = SEIPD v2 (AEAD) */
  readonly seipdVersion: 1 | 2;
}

export async function encryptMessage(options: EncryptOptions): Promise<EncryptResult> {
  checkKeys('encryptMessage', options, ['content', 'encryptionKeys', 'signingKey', 'format', 'now']);
  if (options.encryptionKeys.length === 0) throw new Error('encryptMessage: no encryption keys');
  const date = new Date(options.now ?? Date.now());
  const message = options.format === 'utf8' ? await openpgp.createMessage({ text: options.content.toString('utf8'), format: 'utf8', date }) : await openpgp.createMessage({ binary: new Uint8Array(options.content), format: 'binary', date });
  const armored = await openpgp.encrypt({
    message,
    encryptionKeys: [...options.encryptionKeys],
    ...(options.signingKey ? { signingKeys: [options.signingKey] } : {}),
    date,
    format: 'armored',
    config: pgpConfig(),
  });
  if (typeof armored !== 'string') throw new Error('encryptMessage: openpgp returned a stream');
  // Read back which data packet was written (the object form's armor() is a one-shot stream for SEIPDv2).
  const written = await openpgp.readMessage({ armoredMessage: armored, config: pgpConfig() });
  const data = written.packets.findPacket(openpgp.enums.packet.symEncryptedIntegrityProtectedData) as unknown as { version: number } | undefined;
  if (!data) throw new Error('encryptMessage: openpgp produced no SEIPD packet');
  return { armored, seipdVersion: data.version === 2 ? 2 : 1 };
}

export type SignatureStatus = 'valid' | 'invalid' | 'unknown-key';

export interface SignatureCheck {
  /** issuer key id (16 hex) */
  readonly keyId: string;
  readonly status: SignatureStatus;
  /** fingerprint of the verifying key (valid / invalid with a known key) */
  readonly fingerprint: string | null;
}

/** Looks up public keys for signature key ids (the keyring); may return fewer or none. */
export type VerificationKeyLookup = (keyIds: readonly string[]) => Promise<PgpPublicKey[]>;

export type DecryptFailure = 'not-for-us' | 'no-integrity' | 'failed' | 'not-encrypted';

export type DecryptResult =
  | { readonly ok: true; readonly content: Buffer; readonly signatures: readonly SignatureCheck[]; readonly seipdVersion: 1 | 2 }
  | { readonly ok: false; readonly reason: DecryptFailure };

export interface DecryptOptions {
  /** armored text or binary packets */
  readonly message: Buffer | string;
  readonly decryptionKeys: readonly PgpPrivateKey[];
  readonly verificationKeys?: VerificationKeyLookup;
  readonly maxDecompressedBytes?: number;
  readonly now?: number;
}

async function readAnyMessage(input: Buffer | string, config: openpgp.PartialConfig): Promise<openpgp.Message<openpgp.MaybeStream<Uint8Array | string>> | null> {
  try {
    const text = typeof input === 'string' ? input : input.toString('latin1');
    if (/-----BEGIN PGP MESSAGE-----/.test(text)) {
      const block = /-----BEGIN PGP MESSAGE-----[\s\S]*?-----END PGP MESSAGE-----/.exec(text);
      if (!block) return null;
      return await openpgp.readMessage({ armoredMessage: block[0], config });
    }
    if (typeof input === 'string') return null;
    return await openpgp.readMessage({ binaryMessage: new Uint8Array(input), config });
  } catch {
    return null;
  }
}

type VerificationResult = Awaited<ReturnType<openpgp.Message<Uint8Array>['verify']>>[number];

const hex = (k: openpgp.KeyID) => k.toHex().toLowerCase();

async function checkSignatures(results: readonly VerificationResult[], keys: readonly PgpPublicKey[]): Promise<SignatureCheck[]> {
  const out: SignatureCheck[] = [];
  for (const r of results) {
    const keyId = hex(r.keyID);
    const key = keys.find((k) => k.getKeyIDs().some((id) => hex(id) === keyId));
    if (!key) {
      await r.verified.catch(() => undefined);
      out.push({ keyId, status: 'unknown-key', fingerprint: null });
      continue;
    }
    const good = await r.verified.then(
      () => true,
      () => false,
    );
    out.push({ keyId, status: good ? 'valid' : 'invalid', fingerprint: key.getFingerprint().toLowerCase() });
  }
  return out;
}

/** Decrypts (and verifies the signatures inside) an OpenPGP message; see the header for the rules. */
export async function decryptMessage(options: DecryptOptions): Promise<DecryptResult> {
  checkKeys('decryptMessage', options, ['message', 'decryptionKeys', 'verificationKeys', 'maxDecompressedBytes', 'now']);
  const partial = pgpConfig({ maxDecompressedBytes: options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED });
  const config = fullConfig(partial);
  const date = new Date(options.now ?? Date.now());
  const message = await readAnyMessage(options.message, partial);
  if (!message) return { ok: false, reason: 'failed' };
  const tags = message.packets.map((p) => (p.constructor as unknown as { tag: number }).tag);
  if (tags.includes(openpgp.enums.packet.symmetricallyEncryptedData)) return { ok: false, reason: 'no-integrity' };
  const seipd = message.packets.findPacket(openpgp.enums.packet.symEncryptedIntegrityProtectedData) as unknown as { version: number } | undefined;
  if (!seipd) {
    // no encrypted data and no session keys at all: a signed (or literal) message armored as
    // "PGP MESSAGE" (`gpg -sa`) — not ours to decrypt, and not an integrity failure either
    const encryptedTags = [openpgp.enums.packet.aeadEncryptedData, openpgp.enums.packet.publicKeyEncryptedSessionKey, openpgp.enums.packet.symEncryptedSessionKey];
    if (!tags.some((t) => encryptedTags.includes(t))) return { ok: false, reason: 'not-encrypted' };
    return { ok: false, reason: tags.includes(openpgp.enums.packet.aeadEncryptedData) ? 'failed' : 'no-integrity' };
  }
  const wanted = message.getEncryptionKeyIDs().map(hex);
  const held = new Set(options.decryptionKeys.flatMap((k) => k.getKeyIDs().map(hex)));
  // wildcard (anonymous) recipients: every held key may be the one, so try them
  if (options.decryptionKeys.length === 0 || !wanted.some((id) => held.has(id) || /^0+$/.test(id))) return { ok: false, reason: 'not-for-us' };
  try {
    // RSA: our raw-RSA + implicit-rejection path (rsa-session-key.ts); others: openpgp's own
    const sessionKeys = await rsaSessionKeys(message, options.decryptionKeys, config, date);
    const decrypted = await decryptWith(message, options.decryptionKeys, sessionKeys, date, config);
    const literal = decrypted.getLiteralData();
    if (!(literal instanceof Uint8Array)) return { ok: false, reason: 'failed' };
    const signerIds = decrypted.getSigningKeyIDs().map(hex);
    const keys = signerIds.length > 0 && options.verificationKeys ? await options.verificationKeys(signerIds) : [];
    const signatures = signerIds.length > 0 ? await checkSignatures(await decrypted.verify([...keys], date, config), keys) : [];
    return { ok: true, content: Buffer.from(literal.buffer, literal.byteOffset, literal.byteLength), signatures, seipdVersion: seipd.version === 2 ? 2 : 1 };
  } catch {
    // wrong key (constant-time PKCS#1 gives a random session key), MDC mismatch, bad grammar,
    // decompression limit: one verdict
    return { ok: false, reason: 'failed' };
  }
}

/** Tries each RSA session key (there is rarely more than one); without any, openpgp decrypts with the keys. */
async function decryptWith(message: openpgp.Message<openpgp.MaybeStream<Uint8Array | string>>, keys: readonly PgpPrivateKey[], sessionKeys: Awaited<ReturnType<typeof rsaSessionKeys>>, date: Date, config: openpgp.Config) {
  if (sessionKeys.length === 0) return message.decrypt([...keys], undefined, undefined, date, config);
  let last: unknown;
  for (const sk of sessionKeys) {
    try {
      return await message.decrypt(undefined, undefined, [sk], date, config);
    } catch (err) {
      last = err;
    }
  }
  // an ECDH subkey of the same recipient set may still open it
  if (keys.some((k) => k.getKeys().some((x) => !/^rsa/.test(x.getAlgorithmInfo().algorithm)))) return message.decrypt([...keys], undefined, undefined, date, config);
  throw last;
}

/** A detached signature (armored) over `content` exactly as given (RFC 3156 §5: the canonical MIME entity). */
export async function signDetached(content: Buffer, signingKey: PgpPrivateKey, now = Date.now()): Promise<string> {
  const message = await openpgp.createMessage({ binary: new Uint8Array(content), format: 'binary', date: new Date(now) });
  return openpgp.sign({ message, signingKeys: [signingKey], detached: true, date: new Date(now), format: 'armored', config: pgpConfig() });
}

/** Verifies a detached signature (armored or binary) over exactly `content`. */
export async function verifyDetached(content: Buffer, signature: Buffer | string, lookup: VerificationKeyLookup, now = Date.now()): Promise<SignatureCheck[] | null> {
  const config = pgpConfig();
  let sig: openpgp.Signature;
  try {
    const text = typeof signature === 'string' ? signature : signature.toString('latin1');
    const block = /-----BEGIN PGP SIGNATURE-----[\s\S]*?-----END PGP SIGNATURE-----/.exec(text);
    sig = block ? await openpgp.readSignature({ armoredSignature: block[0], config }) : await openpgp.readSignature({ binarySignature: new Uint8Array(typeof signature === 'string' ? Buffer.from(signature, 'latin1') : signature), config });
  } catch {
    return null;
  }
  const ids = sig.getSigningKeyIDs().map(hex);
  const keys = await lookup(ids);
  const message = await openpgp.createMessage({ binary: new Uint8Array(content), format: 'binary' });
  try {
    const r = await openpgp.verify({ message, signature: sig, verificationKeys: [...keys], date: new Date(now), format: 'binary', config });
    return checkSignatures(r.signatures, keys);
  } catch {
    return ids.map((keyId) => ({ keyId, status: 'invalid' as const, fingerprint: null }));
  }
}

/** Verifies an inline cleartext-signed text (RFC 4880 §7); null when it is not one. */
export async function verifyCleartext(text: string, lookup: VerificationKeyLookup, now = Date.now()): Promise<{ text: string; signatures: SignatureCheck[] } | null> {
  const config = pgpConfig();
  const block = /-----BEGIN PGP SIGNED MESSAGE-----[\s\S]*?-----END PGP SIGNATURE-----/.exec(text);
  if (!block) return null;
  let message: openpgp.CleartextMessage;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: block[0], config });
  } catch {
    return null;
  }
  const keys = await lookup(message.getSigningKeyIDs().map(hex));
  try {
    const r = await openpgp.verify({ message, verificationKeys: [...keys], date: new Date(now), config });
    return { text: message.getText(), signatures: await checkSignatures(r.signatures, keys) };
  } catch {
    return { text: message.getText(), signatures: message.getSigningKeyIDs().map((k) => ({ keyId: hex(k), status: 'invalid' as const, fingerprint: null })) };
  }
}

/** Cleartext-signs a text (PGP/INLINE signing). */
export async function signCleartext(text: string, signingKey: PgpPrivateKey, now = Date.now()): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text });
  return openpgp.sign({ message, signingKeys: [signingKey], date: new Date(now), config: pgpConfig() });
}
