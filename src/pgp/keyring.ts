/**
 * pgp/keyring — the OpenPGP keyring over the store: import (armored or binary, public and
 * secret, several keys per file), generate, parse stored keys back (with a small in-memory
 * cache), and hand out secret keys unwrapped for decryption and signing.
 *
 * Re-importing a key merges the new material into the stored one (openpgp Key.update), so a
 * revocation or a new subkey published later is added, never lost. Trust only moves up on
 * import (pending < learnt < trusted): discovery can never downgrade an administrator's key.
 * SECURITY: secret keys are stored unprotected-by-passphrase but wrapped under the master key
 * (keystore/key-wrap.ts, context `pgp:<fingerprint>`, so a wrapped key cannot be moved onto
 * another key's row); they exist in the clear only as openpgp objects in memory.
 */
import { armorKey, describeKey, generateKeyPair, readBinaryKey, readKeyBlocks, unlockKey, type PgpKey, type PgpKeyInfo, type PgpKeyType, type PgpPrivateKey, type PgpPublicKey } from '../crypto/pgp/index.js';
import { PgpKeyError } from '../crypto/pgp/index.js';
import { SealpostError } from '../errors/index.js';
import type { KeyWrapper } from '../keystore/key-wrap.js';
import type { NewPgpKey, PgpKeyRecord, PgpKeySource, PgpKeyStore, PgpTrust } from './types.js';

const RANK: Readonly<Record<PgpTrust, number>> = { pending: 0, learnt: 1, trusted: 2 };

export interface ImportedKey {
  readonly record: PgpKeyRecord;
  readonly created: boolean;
  readonly secret: boolean;
  readonly info: PgpKeyInfo;
}

export interface ImportOptions {
  readonly source?: PgpKeySource;
  readonly trust?: PgpTrust;
  /** passphrase of protected secret keys in the file */
  readonly passphrase?: string;
  /** an explicit trust wins over the stored one even when lower (admin `pgp trust`); default: only upgrade */
  readonly forceTrust?: boolean;
}

export class PgpKeyring {
  readonly #parsed = new Map<string, { updatedAt: number; key: PgpPublicKey }>();

  constructor(
    readonly store: PgpKeyStore,
    private readonly wrapper: KeyWrapper | null,
    private readonly now: () => number = Date.now,
  ) {}

  /** Imports every key of a file; a file that does not parse imports nothing (SP_ERR_CLI_USAGE). */
  async import(bytes: Buffer, options: ImportOptions = {}): Promise<ImportedKey[]> {
    let keys: PgpKey[];
    try {
      keys = await readKeyBlocks(bytes);
    } catch (err) {
      throw new SealpostError('SP_ERR_CLI_USAGE', err instanceof Error ? err.message : String(err), { stage: 'pgp' }, { cause: err });
    }
    if (keys.length === 0) throw new SealpostError('SP_ERR_CLI_USAGE', 'no OpenPGP keys found', { stage: 'pgp' });
    // unlock every secret key before storing anything: a wrong passphrase imports nothing
    const unlocked: PgpKey[] = [];
    for (const k of keys) {
      try {
        unlocked.push(k.isPrivate() ? await unlockKey(k as PgpPrivateKey, options.passphrase) : k);
      } catch (err) {
        throw new SealpostError('SP_ERR_CLI_USAGE', err instanceof PgpKeyError ? err.message : String(err), { stage: 'pgp' }, { cause: err });
      }
    }
    const out: ImportedKey[] = [];
    for (const k of unlocked) out.push(await this.add(k, options));
    return out;
  }

  /** Stores one key (public part; its secret part wrapped when it has one). */
  async add(key: PgpKey, options: ImportOptions = {}): Promise<ImportedKey> {
    if (key.isPrivate() && !this.wrapper) throw new SealpostError('SP_ERR_CONFIG_INVALID', 'a secret key cannot be stored without the master key', { stage: 'pgp' });
    if (key.keyPacket.version !== 4) throw new SealpostError('SP_ERR_CLI_USAGE', `key ${key.getFingerprint()} is a v${key.keyPacket.version} key; only v4 keys are supported (GnuPG 2.2 reads no others)`, { stage: 'pgp' });
    const fingerprint = key.getFingerprint().toLowerCase();
    const existing = await this.store.get(fingerprint);
    let merged: PgpPublicKey = key.toPublic();
    if (existing) {
      try {
        merged = await (await readBinaryKey(existing.publicKey)).toPublic().update(merged, new Date(this.now()));
      } catch {
        merged = key.toPublic();
      }
    }
    const info = await describeKey(merged, this.now());
    const requested = options.trust ?? 'trusted';
    const trust = existing && !options.forceTrust && RANK[existing.trust] > RANK[requested] ? existing.trust : requested;
    const row: NewPgpKey = {
      fingerprint,
      keyId: info.keyId,
      keyIds: info.keyIds,
      publicKey: Buffer.from(merged.write()),
      userIds: info.userIds,
      emails: info.emails,
      algorithm: info.algorithm,
      keyCreatedAt: info.createdAt,
      expiresAt: info.expiresAt,
      revoked: info.revoked,
      source: existing && RANK[existing.trust] >= RANK[requested] ? existing.source : (options.source ?? 'import'),
      trust,
    };
    const { record, created } = await this.store.upsert(row);
    let secret = false;
    if (key.isPrivate()) {
      const plain = Buffer.from(key.write());
      try {
        await this.store.putSecret(fingerprint, this.wrapper!.wrap(plain, `pgp:${fingerprint}`), this.wrapper!.kekId);
      } finally {
        plain.fill(0);
      }
      secret = true;
    }
    this.#parsed.delete(fingerprint);
    return { record: secret ? { ...record, hasSecret: true } : record, created, secret, info };
  }

  /** A new key pair for an internal user or a domain, stored with its secret key. */
  async generate(options: { email?: string; name?: string; type?: PgpKeyType; expiresInSeconds?: number }): Promise<ImportedKey & { armoredPublicKey: string }> {
    if (!this.wrapper) throw new SealpostError('SP_ERR_CONFIG_INVALID', 'generating a key needs the master key', { stage: 'pgp' });
    const pair = await generateKeyPair({ ...(options.email ? { email: options.email } : {}), ...(options.name ? { name: options.name } : {}), ...(options.type ? { type: options.type } : {}), ...(options.expiresInSeconds ? { expiresInSeconds: options.expiresInSeconds } : {}), date: new Date(this.now() - 1000) });
    const imported = await this.add(pair.privateKey, { source: 'generate', trust: 'trusted' });
    return { ...imported, armoredPublicKey: armorKey(pair.publicKey) };
  }

  /** The stored public key, parsed (cached per fingerprint until the row changes). */
  async publicKey(record: PgpKeyRecord): Promise<PgpPublicKey> {
    const hit = this.#parsed.get(record.fingerprint);
    if (hit && hit.updatedAt === record.updatedAt) return hit.key;
    let key: PgpPublicKey;
    try {
      key = (await readBinaryKey(record.publicKey)).toPublic();
    } catch (err) {
      throw new SealpostError('SP_ERR_STORE_CORRUPT', `the stored OpenPGP key ${record.fingerprint} does not parse`, { id: record.fingerprint, stage: 'pgp' }, { cause: err });
    }
    if (this.#parsed.size > 1000) this.#parsed.clear();
    this.#parsed.set(record.fingerprint, { updatedAt: record.updatedAt, key });
    return key;
  }

  /** The hosted secret key of a stored key, or null when none is held (or no master key). */
  async secretKey(fingerprint: string): Promise<PgpPrivateKey | null> {
    if (!this.wrapper) return null;
    const fp = fingerprint.toLowerCase();
    const row = await this.store.getSecret(fp);
    if (!row) return null;
    const plain = this.wrapper.unwrap(row.wrapped, `pgp:${fp}`);
    try {
      // openpgp keeps views into its input: parse a copy, so zeroing `plain` cannot damage the key
      const key = await readBinaryKey(new Uint8Array(plain));
      if (!key.isPrivate() || key.getFingerprint().toLowerCase() !== fp) throw new Error('not the secret key of this fingerprint');
      return key as PgpPrivateKey;
    } catch (err) {
      throw new SealpostError('SP_ERR_STORE_CORRUPT', `the stored OpenPGP secret key ${fp} does not parse`, { id: fp, stage: 'pgp' }, { cause: err });
    } finally {
      plain.fill(0);
    }
  }

  /** Public keys stored under any of these key ids (signature verification); pending keys excluded. */
  async byKeyIds(keyIds: readonly string[]): Promise<{ record: PgpKeyRecord; key: PgpPublicKey }[]> {
    const out = new Map<string, { record: PgpKeyRecord; key: PgpPublicKey }>();
    for (const id of keyIds) {
      for (const record of await this.store.byKeyId(id)) {
        if (record.trust !== 'pending' && !out.has(record.fingerprint)) out.set(record.fingerprint, { record, key: await this.publicKey(record) });
      }
    }
    return [...out.values()];
  }
}
