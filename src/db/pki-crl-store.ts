/**
 * db/pki-crl-store — the newest CRL per issuer (and partition scope), and wrapped private keys.
 *
 * CRLs: one row per (issuer name key, scope). `put` is a single upsert whose update only fires
 * when the new CRL's thisUpdate is later than the stored one, so two nodes refreshing at the same
 * moment (or an operator importing an old file) can never replace a newer CRL with an older one.
 * Keys: the bytes are opaque here (keystore/key-wrap.ts wraps and unwraps); this module never
 * sees a key in the clear.
 * SECURITY: CRLs are believed only after pki/ verified their signature before `put`; the store
 * records which certificate verified it.
 */
import { isSealpostError } from '../errors/index.js';
import type { CrlRecord, CrlStore, NewCrl, PrivateKeyStore, WrappedKeyRecord } from '../pki/types.js';
import { corruptRow } from './codecs.js';
import { reading, rowsAffected, writeFailed, type StoreContext } from './store-support.js';
import { toBytes, toMillis, toMillisOrNull, toText, toTextOrNull, writeMillis } from './values.js';

function crlFromRow(row: Record<string, unknown>, withDer: true): CrlRecord;
function crlFromRow(row: Record<string, unknown>, withDer: false): Omit<CrlRecord, 'der'>;
function crlFromRow(row: Record<string, unknown>, withDer: boolean): CrlRecord | Omit<CrlRecord, 'der'> {
  const id = String(row.id);
  try {
    const base = {
      id,
      issuerKey: toText(row.issuer_key),
      scope: toText(row.scope),
      issuerCertificateId: toText(row.issuer_certificate_id),
      thisUpdate: toMillis(row.this_update),
      nextUpdate: toMillisOrNull(row.next_update),
      number: toTextOrNull(row.crl_number),
      sourceUrl: toTextOrNull(row.source_url),
      storedAt: toMillis(row.stored_at),
    };
    return withDer ? { ...base, der: toBytes(row.der) } : base;
  } catch (err) {
    if (isSealpostError(err)) throw err;
    throw corruptRow('pki_crls', id, '(row)', err);
  }
}

export class SqlCrlStore implements CrlStore {
  constructor(private readonly ctx: StoreContext) {}

  async put(crl: NewCrl): Promise<boolean> {
    const values = {
      issuer_key: crl.issuerKey,
      scope: crl.scope,
      id: crl.id,
      der: crl.der,
      issuer_certificate_id: crl.issuerCertificateId,
      this_update: writeMillis(crl.thisUpdate, 'thisUpdate'),
      next_update: crl.nextUpdate === null ? null : writeMillis(crl.nextUpdate, 'nextUpdate'),
      crl_number: crl.number,
      source_url: crl.sourceUrl,
      stored_at: writeMillis(this.ctx.now(), 'now'),
    };
    try {
      const r = await this.ctx.db.kysely
        .insertInto('pki_crls')
        .values(values)
        .onConflict((oc) =>
          oc
            .columns(['issuer_key', 'scope'])
            .doUpdateSet({
              id: (eb) => eb.ref('excluded.id'),
              der: (eb) => eb.ref('excluded.der'),
              issuer_certificate_id: (eb) => eb.ref('excluded.issuer_certificate_id'),
              this_update: (eb) => eb.ref('excluded.this_update'),
              next_update: (eb) => eb.ref('excluded.next_update'),
              crl_number: (eb) => eb.ref('excluded.crl_number'),
              source_url: (eb) => eb.ref('excluded.source_url'),
              stored_at: (eb) => eb.ref('excluded.stored_at'),
            })
            // keep the newest: an older (or the same) CRL never replaces what is stored
            .where('pki_crls.this_update', '<', (eb) => eb.ref('excluded.this_update')),
        )
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { crlId: crl.id });
    }
  }

  forIssuer(issuerKey: string): Promise<CrlRecord[]> {
    return reading(this.ctx.db, async () => (await this.ctx.db.kysely.selectFrom('pki_crls').selectAll().where('issuer_key', '=', issuerKey).orderBy('scope').execute()).map((r) => crlFromRow(r, true)));
  }

  list(): Promise<Omit<CrlRecord, 'der'>[]> {
    return reading(this.ctx.db, async () => {
      const rows = await this.ctx.db.kysely
        .selectFrom('pki_crls')
        .select(['issuer_key', 'scope', 'id', 'issuer_certificate_id', 'this_update', 'next_update', 'crl_number', 'source_url', 'stored_at'])
        .orderBy('issuer_key')
        .orderBy('scope')
        .execute();
      return rows.map((r) => crlFromRow(r, false));
    });
  }
}

export class SqlPrivateKeyStore implements PrivateKeyStore {
  constructor(private readonly ctx: StoreContext) {}

  async put(certificateId: string, wrapped: Buffer, kekId: string): Promise<void> {
    try {
      await this.ctx.db.kysely
        .insertInto('pki_private_keys')
        .values({ certificate_id: certificateId, wrapped, kek_id: kekId, created_at: writeMillis(this.ctx.now(), 'now') })
        .onConflict((oc) => oc.column('certificate_id').doUpdateSet({ wrapped: (eb) => eb.ref('excluded.wrapped'), kek_id: (eb) => eb.ref('excluded.kek_id'), created_at: (eb) => eb.ref('excluded.created_at') }))
        .execute();
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { certificateId });
    }
  }

  get(certificateId: string): Promise<WrappedKeyRecord | null> {
    return reading(this.ctx.db, async () => {
      const row = await this.ctx.db.kysely.selectFrom('pki_private_keys').selectAll().where('certificate_id', '=', certificateId).executeTakeFirst();
      if (!row) return null;
      try {
        return { certificateId, wrapped: toBytes(row.wrapped), kekId: toText(row.kek_id), createdAt: toMillis(row.created_at) };
      } catch (err) {
        throw corruptRow('pki_private_keys', certificateId, '(row)', err);
      }
    });
  }

  async remove(certificateId: string): Promise<boolean> {
    try {
      return rowsAffected(await this.ctx.db.kysely.deleteFrom('pki_private_keys').where('certificate_id', '=', certificateId).executeTakeFirst()) > 0;
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { certificateId });
    }
  }
}
