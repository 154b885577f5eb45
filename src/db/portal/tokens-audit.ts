/** One-time link tokens (stored as SHA-256; a GET peeks, a POST consumes, once) and the audit log (ids and addresses, never bodies). */
import { newId } from '../../mail/ids.js';
import type {
  AuditEntry,
  AuditStore,
  NewAuditEntry,
  NewToken,
  TokenPurpose,
  TokenRecord,
  TokenStore,
} from '../../portal/store.js';
import { rowsAffected } from '../store-support.js';
import { writeMillis } from '../values.js';
import { lc, hashOf, randomToken, clampLimit, tokenFromRow, auditFromRow, Part } from './rows.js';

export class SqlTokenStore extends Part implements TokenStore {
  async issue(t: NewToken): Promise<string> {
    const token = randomToken();
    await this.write({ purpose: t.purpose }, () =>
      this.k
        .insertInto('portal_tokens')
        .values({ hash: hashOf(token), purpose: t.purpose, address: lc(t.address), message_id: t.messageId, created_at: this.now(), expires_at: writeMillis(t.expiresAt, 'expiresAt'), used_at: null })
        .execute(),
    );
    return token;
  }

  peek(token: string, purpose: TokenPurpose): Promise<TokenRecord | null> {
    return this.read(async () => {
      const row = await this.k.selectFrom('portal_tokens').selectAll().where('hash', '=', hashOf(token)).where('purpose', '=', purpose).executeTakeFirst();
      return row ? tokenFromRow(row) : null;
    });
  }

  async consume(token: string, purpose: TokenPurpose): Promise<TokenRecord | null> {
    const now = this.now();
    const hash = hashOf(token);
    const r = await this.write({ purpose }, () =>
      this.k.updateTable('portal_tokens').set({ used_at: now }).where('hash', '=', hash).where('purpose', '=', purpose).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst(),
    );
    if (rowsAffected(r) === 0) return null;
    return this.peek(token, purpose);
  }

  async purge(before: number): Promise<number> {
    return this.write({}, async () => rowsAffected(await this.k.deleteFrom('portal_tokens').where('expires_at', '<', writeMillis(before, 'before')).executeTakeFirst()));
  }
}


export class SqlAuditStore extends Part implements AuditStore {
  async record(e: NewAuditEntry): Promise<void> {
    const now = this.now();
    await this.write({ event: e.event }, () =>
      this.k
        .insertInto('portal_audit')
        .values({ id: newId(now), at: now, event: e.event, address: e.address === null ? null : lc(e.address), message_id: e.messageId ?? null, ip: e.ip ?? null, detail: JSON.stringify(e.detail ?? {}) })
        .execute(),
    );
  }

  list(q: { address?: string; messageId?: string; limit?: number } = {}): Promise<AuditEntry[]> {
    return this.read(async () => {
      let query = this.k.selectFrom('portal_audit').selectAll();
      if (q.address !== undefined) query = query.where('address', '=', lc(q.address));
      if (q.messageId !== undefined) query = query.where('message_id', '=', q.messageId);
      return (await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(clampLimit(q.limit, 100)).execute()).map(auditFromRow);
    });
  }

  async purge(before: number): Promise<number> {
    return this.write({}, async () => rowsAffected(await this.k.deleteFrom('portal_audit').where('at', '<', writeMillis(before, 'before')).executeTakeFirst()));
  }
}
