/**
 * db/pgp-key-store — the OpenPGP keyring (public keys with address and key-id indexes, wrapped
 * secret keys) and the key-discovery cache + audit log, over one schema on SQLite and PostgreSQL.
 *
 * upsert replaces a key's row and rebuilds its index rows in one transaction, so a lookup never
 * sees a key half-updated. `hasSecret` is read through a join on pgp_secret_keys, so it can never
 * disagree with the secret-key table. Choosing among keys is pgp/select.ts's job, not the store's.
 * SECURITY: public keys are public data, validated on read like every other row; secret keys are
 * stored and returned wrapped only.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isSealpostError } from '../errors/index.js';
import type { LookupAudit, LookupCacheEntry, LookupMethod, LookupOutcome, NewLookupAudit, NewPgpKey, PgpKeyRecord, PgpKeySource, PgpKeyStore, PgpLookupStore, PgpTrust } from '../pgp/types.js';
import { corruptRow } from './codecs.js';
import type { Schema } from './schema.js';
import { reading, rowsAffected, writeFailed, type StoreContext } from './store-support.js';
import { toBytes, toCount, toMillis, toMillisOrNull, toText, writeMillis } from './values.js';

const SOURCES: ReadonlySet<string> = new Set<PgpKeySource>(['import', 'generate', 'wkd', 'hkp', 'autocrypt']);
const TRUSTS: ReadonlySet<string> = new Set<PgpTrust>(['trusted', 'learnt', 'pending']);
const METHODS: ReadonlySet<string> = new Set<LookupMethod>(['wkd-advanced', 'wkd-direct', 'hkp', 'autocrypt']);
const OUTCOMES: ReadonlySet<string> = new Set<LookupOutcome>(['found', 'not-found', 'error', 'changed', 'cached']);

const norm = (s: string) => s.trim().toLowerCase();

function stringArray(value: unknown): string[] {
  const parsed: unknown = JSON.parse(toText(value));
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) throw new Error('expected a JSON array of strings');
  return parsed;
}

function oneOf<T extends string>(set: ReadonlySet<string>, value: unknown, what: string): T {
  const v = toText(value);
  if (!set.has(v)) throw new Error(`unknown ${what} ${v}`);
  return v as T;
}

function recordFromRow(row: Record<string, unknown>): PgpKeyRecord {
  const id = String(row.fingerprint);
  try {
    return {
      fingerprint: id,
      keyId: toText(row.key_id),
      keyIds: stringArray(row.key_ids),
      publicKey: toBytes(row.public_key),
      userIds: stringArray(row.user_ids),
      emails: stringArray(row.emails),
      algorithm: toText(row.algorithm),
      keyCreatedAt: toMillis(row.key_created_at),
      expiresAt: toMillisOrNull(row.expires_at),
      revoked: toCount(row.revoked) === 1,
      source: oneOf<PgpKeySource>(SOURCES, row.source, 'source'),
      trust: oneOf<PgpTrust>(TRUSTS, row.trust, 'trust'),
      hasSecret: row.secret_fp !== null && row.secret_fp !== undefined,
      addedAt: toMillis(row.added_at),
      updatedAt: toMillis(row.updated_at),
    };
  } catch (err) {
    if (isSealpostError(err)) throw err;
    throw corruptRow('pgp_keys', id, '(row)', err);
  }
}

export class SqlPgpKeyStore implements PgpKeyStore {
  constructor(private readonly ctx: StoreContext) {}

  private get k(): Kysely<Schema> {
    return this.ctx.db.kysely;
  }

  private select() {
    return this.k.selectFrom('pgp_keys as k').leftJoin('pgp_secret_keys as s', 's.fingerprint', 'k.fingerprint').selectAll('k').select('s.fingerprint as secret_fp');
  }

  async upsert(key: NewPgpKey): Promise<{ record: PgpKeyRecord; created: boolean }> {
    const fingerprint = norm(key.fingerprint);
    const now = writeMillis(this.ctx.now(), 'now');
    let created = false;
    try {
      await this.k.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('pgp_keys').select('added_at').where('fingerprint', '=', fingerprint).executeTakeFirst();
        created = existing === undefined;
        const values = {
          key_id: norm(key.keyId),
          key_ids: JSON.stringify(key.keyIds.map(norm)),
          public_key: key.publicKey,
          user_ids: JSON.stringify(key.userIds),
          emails: JSON.stringify(key.emails.map(norm)),
          algorithm: key.algorithm,
          key_created_at: writeMillis(key.keyCreatedAt, 'keyCreatedAt'),
          expires_at: key.expiresAt === null ? null : writeMillis(key.expiresAt, 'expiresAt'),
          revoked: key.revoked ? 1 : 0,
          source: key.source,
          trust: key.trust,
          updated_at: now,
        };
        if (created) await trx.insertInto('pgp_keys').values({ fingerprint, ...values, added_at: now }).execute();
        else await trx.updateTable('pgp_keys').set(values).where('fingerprint', '=', fingerprint).execute();
        await trx.deleteFrom('pgp_key_emails').where('fingerprint', '=', fingerprint).execute();
        await trx.deleteFrom('pgp_key_ids').where('fingerprint', '=', fingerprint).execute();
        const emails = [...new Set(key.emails.map(norm))];
        if (emails.length > 0) await trx.insertInto('pgp_key_emails').values(emails.map((email) => ({ email, fingerprint }))).execute();
        const ids = [...new Set(key.keyIds.map(norm))];
        if (ids.length > 0) await trx.insertInto('pgp_key_ids').values(ids.map((key_id) => ({ key_id, fingerprint }))).execute();
      });
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { id: fingerprint });
    }
    const record = await this.get(fingerprint);
    if (!record) throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, new Error('key vanished right after it was stored'), { id: fingerprint });
    return { record, created };
  }

  get(fingerprint: string): Promise<PgpKeyRecord | null> {
    return reading(this.ctx.db, async () => {
      const row = await this.select().where('k.fingerprint', '=', norm(fingerprint)).executeTakeFirst();
      return row ? recordFromRow(row) : null;
    });
  }

  list(limit = 10_000): Promise<PgpKeyRecord[]> {
    return reading(this.ctx.db, async () => (await this.select().orderBy('k.key_created_at', 'desc').orderBy('k.fingerprint').limit(Math.max(0, Math.floor(limit))).execute()).map(recordFromRow));
  }

  byEmail(address: string): Promise<PgpKeyRecord[]> {
    return reading(this.ctx.db, async () => {
      const rows = await this.select().innerJoin('pgp_key_emails as e', 'e.fingerprint', 'k.fingerprint').where('e.email', '=', norm(address)).orderBy('k.key_created_at', 'desc').orderBy('k.fingerprint').execute();
      return rows.map(recordFromRow);
    });
  }

  byKeyId(keyId: string): Promise<PgpKeyRecord[]> {
    return reading(this.ctx.db, async () => {
      const rows = await this.select().innerJoin('pgp_key_ids as i', 'i.fingerprint', 'k.fingerprint').where('i.key_id', '=', norm(keyId)).orderBy('k.fingerprint').execute();
      return rows.map(recordFromRow);
    });
  }

  async setTrust(fingerprint: string, trust: PgpTrust): Promise<boolean> {
    try {
      const r = await this.k.updateTable('pgp_keys').set({ trust, updated_at: writeMillis(this.ctx.now(), 'now') }).where('fingerprint', '=', norm(fingerprint)).executeTakeFirst();
      return rowsAffected(r) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { id: fingerprint });
    }
  }

  async remove(fingerprint: string): Promise<boolean> {
    try {
      return rowsAffected(await this.k.deleteFrom('pgp_keys').where('fingerprint', '=', norm(fingerprint)).executeTakeFirst()) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { id: fingerprint });
    }
  }

  async putSecret(fingerprint: string, wrapped: Buffer, kekId: string): Promise<void> {
    try {
      await this.k
        .insertInto('pgp_secret_keys')
        .values({ fingerprint: norm(fingerprint), wrapped, kek_id: kekId, created_at: writeMillis(this.ctx.now(), 'now') })
        .onConflict((oc) => oc.column('fingerprint').doUpdateSet({ wrapped: (eb) => eb.ref('excluded.wrapped'), kek_id: (eb) => eb.ref('excluded.kek_id'), created_at: (eb) => eb.ref('excluded.created_at') }))
        .execute();
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { id: fingerprint });
    }
  }

  getSecret(fingerprint: string): Promise<{ wrapped: Buffer; kekId: string } | null> {
    return reading(this.ctx.db, async () => {
      const row = await this.k.selectFrom('pgp_secret_keys').selectAll().where('fingerprint', '=', norm(fingerprint)).executeTakeFirst();
      if (!row) return null;
      try {
        return { wrapped: toBytes(row.wrapped), kekId: toText(row.kek_id) };
      } catch (err) {
        throw corruptRow('pgp_secret_keys', fingerprint, '(row)', err);
      }
    });
  }
}

export class SqlPgpLookupStore implements PgpLookupStore {
  constructor(private readonly ctx: StoreContext) {}

  async audit(entry: NewLookupAudit): Promise<void> {
    try {
      await this.ctx.db.kysely
        .insertInto('pgp_lookups')
        .values({ id: randomUUID(), address: norm(entry.address), method: entry.method, url: entry.url, outcome: entry.outcome, fingerprints: JSON.stringify(entry.fingerprints), detail: entry.detail.slice(0, 1000), at: writeMillis(this.ctx.now(), 'now') })
        .execute();
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, {});
    }
  }

  audits(address?: string, limit = 1000): Promise<LookupAudit[]> {
    return reading(this.ctx.db, async () => {
      let q = this.ctx.db.kysely.selectFrom('pgp_lookups').selectAll();
      if (address !== undefined) q = q.where('address', '=', norm(address));
      const rows = await q.orderBy('at', 'desc').orderBy('id').limit(Math.max(0, Math.floor(limit))).execute();
      return rows.map((row) => {
        try {
          return {
            id: row.id,
            address: toText(row.address),
            method: oneOf<LookupMethod>(METHODS, row.method, 'method'),
            url: toText(row.url),
            outcome: oneOf<LookupOutcome>(OUTCOMES, row.outcome, 'outcome'),
            fingerprints: stringArray(row.fingerprints),
            detail: toText(row.detail),
            at: toMillis(row.at),
          };
        } catch (err) {
          throw corruptRow('pgp_lookups', row.id, '(row)', err);
        }
      });
    });
  }

  cacheGet(address: string): Promise<LookupCacheEntry | null> {
    return reading(this.ctx.db, async () => {
      const row = await this.ctx.db.kysely.selectFrom('pgp_lookup_cache').selectAll().where('address', '=', norm(address)).executeTakeFirst();
      if (!row) return null;
      try {
        const outcome = toText(row.outcome);
        if (outcome !== 'found' && outcome !== 'not-found' && outcome !== 'error') throw new Error(`unknown outcome ${outcome}`);
        return { address: row.address, outcome, fingerprints: stringArray(row.fingerprints), fetchedAt: toMillis(row.fetched_at), expiresAt: toMillis(row.expires_at) };
      } catch (err) {
        throw corruptRow('pgp_lookup_cache', row.address, '(row)', err);
      }
    });
  }

  async cachePut(entry: LookupCacheEntry): Promise<void> {
    const values = { address: norm(entry.address), outcome: entry.outcome, fingerprints: JSON.stringify(entry.fingerprints), fetched_at: writeMillis(entry.fetchedAt, 'fetchedAt'), expires_at: writeMillis(entry.expiresAt, 'expiresAt') };
    try {
      await this.ctx.db.kysely
        .insertInto('pgp_lookup_cache')
        .values(values)
        .onConflict((oc) => oc.column('address').doUpdateSet({ outcome: values.outcome, fingerprints: values.fingerprints, fetched_at: values.fetched_at, expires_at: values.expires_at }))
        .execute();
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, {});
    }
  }
}
