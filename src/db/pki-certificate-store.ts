/**
 * db/pki-certificate-store — certificates (with their address index) and trust anchors.
 *
 * A certificate row is immutable once written (its id is the SHA-256 of its DER); adding it
 * again changes nothing. `hasPrivateKey` is read through a join on pki_private_keys, so it can
 * never disagree with the key store. Lookups return every match; choosing among them is
 * validation's and selection's job (pki/), not the store's.
 * SECURITY: certificates are public data; rows are validated on read like every other store.
 */
import type { Kysely, Transaction } from 'kysely';
import type { CertificateRecord, CertificateSource, CertificateStore, NewCertificate, RootStore } from '../pki/types.js';
import { isSealpostError } from '../errors/index.js';
import { corruptRow } from './codecs.js';
import type { Schema } from './schema.js';
import { reading, rowsAffected, writeFailed, type StoreContext } from './store-support.js';
import { toBytes, toCount, toMillis, toText, toTextOrNull, writeMillis } from './values.js';

const SOURCES: ReadonlySet<string> = new Set<CertificateSource>(['import', 'pkcs12', 'trust', 'learnt', 'ca']);

type Db = Kysely<Schema> | Transaction<Schema>;

function stringArray(table: string, id: string, column: string, value: unknown): string[] {
  try {
    const parsed: unknown = JSON.parse(toText(value));
    if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) throw new Error('expected a JSON array of strings');
    return parsed;
  } catch (err) {
    throw corruptRow(table, id, column, err);
  }
}

function recordFromRow(row: Record<string, unknown>): CertificateRecord {
  const id = String(row.id);
  try {
    const source = toText(row.source);
    if (!SOURCES.has(source)) throw new Error(`unknown source ${source}`);
    return {
      id,
      der: toBytes(row.der),
      subject: toText(row.subject),
      issuer: toText(row.issuer),
      subjectKey: toText(row.subject_key),
      issuerKey: toText(row.issuer_key),
      serial: toText(row.serial),
      subjectKeyId: toTextOrNull(row.subject_key_id),
      authorityKeyId: toTextOrNull(row.authority_key_id),
      notBefore: toMillis(row.not_before),
      notAfter: toMillis(row.not_after),
      isCa: toCount(row.is_ca) === 1,
      emails: stringArray('pki_certificates', id, 'emails', row.emails),
      crlUrls: stringArray('pki_certificates', id, 'crl_urls', row.crl_urls),
      source: source as CertificateSource,
      hasPrivateKey: row.key_id !== null && row.key_id !== undefined,
      addedAt: toMillis(row.created_at),
    };
  } catch (err) {
    if (isSealpostError(err)) throw err;
    throw corruptRow('pki_certificates', id, '(row)', err);
  }
}

function selectRecords(db: Db) {
  return db.selectFrom('pki_certificates as c').leftJoin('pki_private_keys as k', 'k.certificate_id', 'c.id').selectAll('c').select('k.certificate_id as key_id');
}

export class SqlCertificateStore implements CertificateStore {
  constructor(private readonly ctx: StoreContext) {}

  private get k(): Kysely<Schema> {
    return this.ctx.db.kysely;
  }

  async add(cert: NewCertificate): Promise<{ record: CertificateRecord; created: boolean }> {
    const now = writeMillis(this.ctx.now(), 'now');
    let created = false;
    try {
      await this.k.transaction().execute(async (trx) => {
        const r = await trx
          .insertInto('pki_certificates')
          .values({
            id: cert.id,
            der: cert.der,
            subject: cert.subject,
            issuer: cert.issuer,
            subject_key: cert.subjectKey,
            issuer_key: cert.issuerKey,
            serial: cert.serial,
            subject_key_id: cert.subjectKeyId,
            authority_key_id: cert.authorityKeyId,
            not_before: writeMillis(cert.notBefore, 'notBefore'),
            not_after: writeMillis(cert.notAfter, 'notAfter'),
            is_ca: cert.isCa ? 1 : 0,
            emails: JSON.stringify(cert.emails),
            crl_urls: JSON.stringify(cert.crlUrls),
            source: cert.source,
            created_at: now,
          })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        created = Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
        if (created && cert.emails.length > 0) {
          await trx
            .insertInto('pki_certificate_emails')
            .values(cert.emails.map((email) => ({ email: email.toLowerCase(), certificate_id: cert.id })))
            .onConflict((oc) => oc.columns(['email', 'certificate_id']).doNothing())
            .execute();
        }
      });
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { certificateId: cert.id });
    }
    const record = await this.get(cert.id);
    if (!record) throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, new Error('certificate vanished right after it was stored'), { certificateId: cert.id });
    return { record, created };
  }

  get(id: string): Promise<CertificateRecord | null> {
    return reading(this.ctx.db, async () => {
      const row = await selectRecords(this.k).where('c.id', '=', id).executeTakeFirst();
      return row ? recordFromRow(row) : null;
    });
  }

  list(limit = 10_000): Promise<CertificateRecord[]> {
    return reading(this.ctx.db, async () => (await selectRecords(this.k).orderBy('c.not_before', 'desc').orderBy('c.id').limit(Math.max(0, Math.floor(limit))).execute()).map(recordFromRow));
  }

  byEmail(address: string): Promise<CertificateRecord[]> {
    return reading(this.ctx.db, async () => {
      const rows = await selectRecords(this.k)
        .innerJoin('pki_certificate_emails as e', 'e.certificate_id', 'c.id')
        .where('e.email', '=', address.trim().toLowerCase())
        .orderBy('c.not_before', 'desc')
        .orderBy('c.id')
        .execute();
      return rows.map(recordFromRow);
    });
  }

  bySubject(subjectKey: string): Promise<CertificateRecord[]> {
    return reading(this.ctx.db, async () => (await selectRecords(this.k).where('c.subject_key', '=', subjectKey).orderBy('c.not_before', 'desc').orderBy('c.id').execute()).map(recordFromRow));
  }

  byIssuerSerial(issuerKey: string, serial: string): Promise<CertificateRecord[]> {
    return reading(this.ctx.db, async () => (await selectRecords(this.k).where('c.issuer_key', '=', issuerKey).where('c.serial', '=', serial.toLowerCase()).orderBy('c.id').execute()).map(recordFromRow));
  }

  bySubjectKeyId(keyId: string): Promise<CertificateRecord[]> {
    return reading(this.ctx.db, async () => (await selectRecords(this.k).where('c.subject_key_id', '=', keyId.toLowerCase()).orderBy('c.not_before', 'desc').orderBy('c.id').execute()).map(recordFromRow));
  }

  crlUrls(): Promise<string[]> {
    return reading(this.ctx.db, async () => {
      const rows = await this.k.selectFrom('pki_certificates').select(['id', 'crl_urls']).where('crl_urls', '<>', '[]').execute();
      const urls = new Set<string>();
      for (const row of rows) for (const u of stringArray('pki_certificates', row.id, 'crl_urls', row.crl_urls)) urls.add(u);
      return [...urls].sort();
    });
  }

  async remove(id: string): Promise<boolean> {
    try {
      return rowsAffected(await this.k.deleteFrom('pki_certificates').where('id', '=', id).executeTakeFirst()) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { certificateId: id });
    }
  }
}

export class SqlRootStore implements RootStore {
  constructor(private readonly ctx: StoreContext) {}

  async add(certificateId: string): Promise<boolean> {
    try {
      const r = await this.ctx.db.kysely
        .insertInto('pki_trust_anchors')
        .values({ certificate_id: certificateId, created_at: writeMillis(this.ctx.now(), 'now') })
        .onConflict((oc) => oc.column('certificate_id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { certificateId });
    }
  }

  async remove(certificateId: string): Promise<boolean> {
    try {
      return rowsAffected(await this.ctx.db.kysely.deleteFrom('pki_trust_anchors').where('certificate_id', '=', certificateId).executeTakeFirst()) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { certificateId });
    }
  }

  has(certificateId: string): Promise<boolean> {
    return reading(this.ctx.db, async () => (await this.ctx.db.kysely.selectFrom('pki_trust_anchors').select('certificate_id').where('certificate_id', '=', certificateId).executeTakeFirst()) !== undefined);
  }

  ids(): Promise<Set<string>> {
    return reading(this.ctx.db, async () => new Set((await this.ctx.db.kysely.selectFrom('pki_trust_anchors').select('certificate_id').execute()).map((r) => r.certificate_id)));
  }
}
