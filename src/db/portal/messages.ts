/**
 * Portal messages and sent items: deposit once per (spool id, recipient) with body and wrapped key
 * in separate tables; recall and expiry stamp the state and delete both in one transaction.
 */
import type {
  MessageListQuery,
  MessageStore,
  NewPortalMessage,
  NewSentItem,
  PortalMessage,
  ReadableBody,
  SealedBody,
  SentItem,
  SentStore,
} from '../../portal/store.js';
import { rowsAffected } from '../store-support.js';
import { toBytes, toText, writeMillis } from '../values.js';
import { lc, bit, clampLimit, decode, messageFromRow, sentFromRow, Part, type Db } from './rows.js';
import { ensureAccount } from './accounts.js';

/** messages joined with their key row, so hasKey can never disagree with the key table */
function selectMessages(db: Db) {
  return db.selectFrom('portal_messages as m').leftJoin('portal_keys as k', 'k.id', 'm.id').selectAll('m').select('k.id as key_id');
}

async function shred(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('portal_keys').where('id', 'in', ids).execute();
  await db.deleteFrom('portal_bodies').where('id', 'in', ids).execute();
}

export class SqlMessageStore extends Part implements MessageStore {
  async deposit(m: NewPortalMessage): Promise<{ message: PortalMessage; created: boolean }> {
    const recipient = lc(m.recipient);
    const created = await this.write({ messageId: m.id, spoolId: m.spoolId }, () =>
      this.k.transaction().execute(async (trx) => {
        await ensureAccount(trx, recipient, this.now());
        const r = await trx
          .insertInto('portal_messages')
          .values({
            id: m.id,
            spool_id: m.spoolId,
            recipient,
            sender: lc(m.sender),
            from_header: m.fromHeader,
            subject: m.subject,
            original_message_id: m.originalMessageId,
            to_addrs: JSON.stringify(m.to.map(lc)),
            cc_addrs: JSON.stringify(m.cc.map(lc)),
            profile: m.profile,
            security: m.security,
            allow_reply: bit(m.allowReply),
            allow_reply_all: bit(m.allowReplyAll),
            allow_forward: bit(m.allowForward),
            read_receipts: bit(m.readReceipts),
            locale: m.locale,
            branding: m.branding,
            created_at: writeMillis(m.createdAt, 'createdAt'),
            expires_at: m.expiresAt === null ? null : writeMillis(m.expiresAt, 'expiresAt'),
            read_at: null,
            recalled_at: null,
            deleted_at: null,
            size: writeMillis(m.size, 'size'),
            attachments: JSON.stringify(m.attachments),
            reminders_sent: 0,
            last_reminder_at: null,
            expired_notice_at: null,
          })
          .onConflict((oc) => oc.columns(['spool_id', 'recipient']).doNothing())
          .executeTakeFirst();
        if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
        const now = this.now();
        await trx.insertInto('portal_bodies').values({ id: m.id, ciphertext: Buffer.from(m.ciphertext), created_at: now }).execute();
        await trx.insertInto('portal_keys').values({ id: m.id, wrapped: Buffer.from(m.wrappedKey), kek_id: m.kekId, created_at: now }).execute();
        return true;
      }),
    );
    const row = await this.read(() => selectMessages(this.k).where('m.spool_id', '=', m.spoolId).where('m.recipient', '=', recipient).executeTakeFirstOrThrow());
    return { message: messageFromRow(row, this.ctx.now()), created };
  }

  get(id: string): Promise<PortalMessage | null> {
    return this.read(async () => {
      const row = await selectMessages(this.k).where('m.id', '=', id).executeTakeFirst();
      return row ? messageFromRow(row, this.ctx.now()) : null;
    });
  }

  forRecipient(id: string, recipient: string): Promise<PortalMessage | null> {
    return this.read(async () => {
      const row = await selectMessages(this.k).where('m.id', '=', id).where('m.recipient', '=', lc(recipient)).executeTakeFirst();
      return row ? messageFromRow(row, this.ctx.now()) : null;
    });
  }

  list(q: MessageListQuery = {}): Promise<PortalMessage[]> {
    return this.read(async () => {
      const now = this.now();
      let query = selectMessages(this.k);
      if (q.recipient !== undefined) query = query.where('m.recipient', '=', lc(q.recipient));
      if (q.sender !== undefined) query = query.where('m.sender', '=', lc(q.sender));
      if (!q.includeInactive) {
        query = query
          .where('m.recalled_at', 'is', null)
          .where('m.deleted_at', 'is', null)
          .where('m.expired_notice_at', 'is', null)
          .where((eb) => eb.or([eb('m.expires_at', 'is', null), eb('m.expires_at', '>', now)]));
      }
      const rows = await query.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').limit(clampLimit(q.limit, 100)).execute();
      return rows.map((r) => messageFromRow(r, now));
    });
  }

  readableBody(id: string, recipient: string): Promise<ReadableBody> {
    return this.read(async () => {
      const row = await selectMessages(this.k).where('m.id', '=', id).where('m.recipient', '=', lc(recipient)).executeTakeFirst();
      if (!row) return { ok: false, reason: 'not-found' } as const;
      const message = messageFromRow(row, this.ctx.now());
      if (message.state === 'recalled') return { ok: false, reason: 'recalled' } as const;
      if (message.state === 'expired') return { ok: false, reason: 'expired' } as const;
      const [body, key] = await Promise.all([
        this.k.selectFrom('portal_bodies').select('ciphertext').where('id', '=', id).executeTakeFirst(),
        this.k.selectFrom('portal_keys').select(['wrapped', 'kek_id']).where('id', '=', id).executeTakeFirst(),
      ]);
      // a message whose key or body is gone (retention, a manual purge) is as good as expired
      if (!body || !key) return { ok: false, reason: 'expired' } as const;
      const sealed: SealedBody = decode('portal_keys', id, () => ({ ciphertext: toBytes(body.ciphertext), wrappedKey: toBytes(key.wrapped), kekId: toText(key.kek_id) }));
      return { ok: true, message, body: sealed } as const;
    });
  }

  async markRead(id: string, recipient: string): Promise<{ first: boolean; message: PortalMessage } | null> {
    const now = this.now();
    const r = await this.write({ messageId: id }, () =>
      this.k.updateTable('portal_messages').set({ read_at: now }).where('id', '=', id).where('recipient', '=', lc(recipient)).where('read_at', 'is', null).where('recalled_at', 'is', null).executeTakeFirst(),
    );
    const message = await this.forRecipient(id, recipient);
    return message ? { first: rowsAffected(r) > 0, message } : null;
  }

  async markDeleted(id: string, recipient: string): Promise<boolean> {
    return this.write({ messageId: id }, async () =>
      rowsAffected(await this.k.updateTable('portal_messages').set({ deleted_at: this.now() }).where('id', '=', id).where('recipient', '=', lc(recipient)).where('deleted_at', 'is', null).executeTakeFirst()) > 0,
    );
  }

  async recall(id: string): Promise<{ recalled: boolean; message: PortalMessage | null }> {
    const now = this.now();
    const recalled = await this.write({ messageId: id }, () =>
      this.k.transaction().execute(async (trx) => {
        const r = await trx.updateTable('portal_messages').set({ recalled_at: now }).where('id', '=', id).where('recalled_at', 'is', null).executeTakeFirst();
        if (rowsAffected(r) === 0) return false;
        await shred(trx, [id]);
        return true;
      }),
    );
    return { recalled, message: await this.get(id) };
  }

  dueForReminder(opts: { createdBefore: number; remindersSent: number; limit: number }): Promise<PortalMessage[]> {
    return this.read(async () => {
      const now = this.now();
      const rows = await selectMessages(this.k)
        .where('m.read_at', 'is', null)
        .where('m.recalled_at', 'is', null)
        .where('m.deleted_at', 'is', null)
        .where('m.expired_notice_at', 'is', null)
        .where((eb) => eb.or([eb('m.expires_at', 'is', null), eb('m.expires_at', '>', now)]))
        .where('m.reminders_sent', '=', opts.remindersSent)
        .where('m.created_at', '<=', writeMillis(opts.createdBefore, 'createdBefore'))
        .orderBy('m.created_at')
        .orderBy('m.id')
        .limit(clampLimit(opts.limit, 100))
        .execute();
      return rows.map((r) => messageFromRow(r, now));
    });
  }

  async markReminded(id: string, expectedCount: number): Promise<boolean> {
    return this.write({ messageId: id }, async () =>
      rowsAffected(await this.k.updateTable('portal_messages').set({ reminders_sent: expectedCount + 1, last_reminder_at: this.now() }).where('id', '=', id).where('reminders_sent', '=', expectedCount).where('read_at', 'is', null).executeTakeFirst()) > 0,
    );
  }

  dueForExpiry(opts: { limit: number }): Promise<PortalMessage[]> {
    return this.read(async () => {
      const now = this.now();
      const rows = await selectMessages(this.k)
        .where('m.expires_at', '<=', now)
        .where('m.recalled_at', 'is', null)
        .where('m.expired_notice_at', 'is', null)
        .orderBy('m.expires_at')
        .orderBy('m.id')
        .limit(clampLimit(opts.limit, 100))
        .execute();
      return rows.map((r) => messageFromRow(r, now));
    });
  }

  async markExpired(id: string): Promise<boolean> {
    const now = this.now();
    return this.write({ messageId: id }, () =>
      this.k.transaction().execute(async (trx) => {
        const r = await trx.updateTable('portal_messages').set({ expired_notice_at: now }).where('id', '=', id).where('expired_notice_at', 'is', null).where('recalled_at', 'is', null).executeTakeFirst();
        if (rowsAffected(r) === 0) return false;
        await shred(trx, [id]);
        return true;
      }),
    );
  }

  async purge(before: number): Promise<number> {
    const cut = writeMillis(before, 'before');
    return this.write({}, () =>
      this.k.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom('portal_messages')
          .select('id')
          .where((eb) => eb.or([eb('recalled_at', '<', cut), eb('expires_at', '<', cut)]))
          .limit(1000)
          .execute();
        const ids = rows.map((r) => r.id);
        if (ids.length === 0) return 0;
        await shred(trx, ids);
        await trx.deleteFrom('portal_tokens').where('message_id', 'in', ids).execute();
        return rowsAffected(await trx.deleteFrom('portal_messages').where('id', 'in', ids).executeTakeFirst());
      }),
    );
  }
}


export class SqlSentStore extends Part implements SentStore {
  async add(item: NewSentItem): Promise<SentItem> {
    const now = this.now();
    await this.write({ sentId: item.id }, () =>
      this.k.transaction().execute(async (trx) => {
        await trx
          .insertInto('portal_sent')
          .values({
            id: item.id,
            account: lc(item.account),
            kind: item.kind,
            in_reply_to: item.inReplyTo,
            to_addrs: JSON.stringify(item.to.map(lc)),
            cc_addrs: JSON.stringify(item.cc.map(lc)),
            subject: item.subject,
            spool_id: item.spoolId,
            created_at: writeMillis(item.createdAt, 'createdAt'),
            size: writeMillis(item.size, 'size'),
            attachments: JSON.stringify(item.attachments),
          })
          .execute();
        await trx.insertInto('portal_bodies').values({ id: item.id, ciphertext: Buffer.from(item.ciphertext), created_at: now }).execute();
        await trx.insertInto('portal_keys').values({ id: item.id, wrapped: Buffer.from(item.wrappedKey), kek_id: item.kekId, created_at: now }).execute();
      }),
    );
    const { ciphertext: _c, wrappedKey: _w, kekId: _k, ...rest } = item;
    return { ...rest, account: lc(item.account), to: item.to.map(lc), cc: item.cc.map(lc), attachments: [...item.attachments] };
  }

  list(account: string, limit?: number): Promise<SentItem[]> {
    return this.read(async () => (await this.k.selectFrom('portal_sent').selectAll().where('account', '=', lc(account)).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(clampLimit(limit, 100)).execute()).map(sentFromRow));
  }

  get(id: string, account: string): Promise<{ item: SentItem; body: SealedBody | null } | null> {
    return this.read(async () => {
      const row = await this.k.selectFrom('portal_sent').selectAll().where('id', '=', id).where('account', '=', lc(account)).executeTakeFirst();
      if (!row) return null;
      const [body, key] = await Promise.all([
        this.k.selectFrom('portal_bodies').select('ciphertext').where('id', '=', id).executeTakeFirst(),
        this.k.selectFrom('portal_keys').select(['wrapped', 'kek_id']).where('id', '=', id).executeTakeFirst(),
      ]);
      const sealed = body && key ? decode('portal_keys', id, () => ({ ciphertext: toBytes(body.ciphertext), wrappedKey: toBytes(key.wrapped), kekId: toText(key.kek_id) })) : null;
      return { item: sentFromRow(row), body: sealed };
    });
  }

  async purge(before: number): Promise<number> {
    const cut = writeMillis(before, 'before');
    return this.write({}, () =>
      this.k.transaction().execute(async (trx) => {
        const ids = (await trx.selectFrom('portal_sent').select('id').where('created_at', '<', cut).limit(1000).execute()).map((r) => r.id);
        if (ids.length === 0) return 0;
        await shred(trx, ids);
        return rowsAffected(await trx.deleteFrom('portal_sent').where('id', 'in', ids).executeTakeFirst());
      }),
    );
  }
}
