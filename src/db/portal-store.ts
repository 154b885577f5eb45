/**
 * db/portal-store — the SQL implementation of portal/store.ts (migration 0006), the same
 * queries on SQLite and PostgreSQL.
 *
 * Atomicity the portal relies on, each a single statement or one transaction:
 * - deposit: account (if new) + message + body + key, once per (spool id, recipient);
 * - recall / expiry: the state stamp and the deletion of key and ciphertext (crypto-shredding);
 * - token consume, first read, reminder count, expiry notice: conditional UPDATEs, so exactly
 *   one caller (of any node) wins;
 * - login failures: increment and lock in one transaction (the row lock serialises attempts).
 * SECURITY: bodies are ciphertext and keys are wrapped before they reach this module; tokens and
 * session ids are stored as SHA-256; nothing here logs row contents; errors carry ids only.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { isSealpostError } from '../errors/index.js';
import { newId } from '../mail/ids.js';
import type {
  AccountStore,
  AccountUpdate,
  AuditEntry,
  AuditEvent,
  AuditStore,
  LoginFailurePolicy,
  MessageListQuery,
  MessageStore,
  NewAuditEntry,
  NewPortalMessage,
  NewSentItem,
  NewSession,
  NewToken,
  PasskeyStore,
  PortalAccount,
  PortalAttachmentMeta,
  PortalMessage,
  PortalPasskey,
  PortalSecurity,
  PortalStore,
  ReadableBody,
  SealedBody,
  SentItem,
  SentKind,
  SentStore,
  SessionKind,
  SessionRecord,
  SessionStore,
  TokenPurpose,
  TokenRecord,
  TokenStore,
} from '../portal/store.js';
import { corruptRow } from './codecs.js';
import type { Schema } from './schema.js';
import { reading, rowsAffected, writeFailed, type StoreContext } from './store-support.js';
import { toBytes, toCount, toMillis, toMillisOrNull, toText, toTextOrNull, writeMillis } from './values.js';

type Db = Kysely<Schema> | Transaction<Schema>;

const lc = (address: string): string => address.trim().toLowerCase();
const hashOf = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');
const randomToken = (): string => randomBytes(32).toString('base64url');
const bool = (v: unknown): boolean => toCount(v) === 1;
const bit = (b: boolean): number => (b ? 1 : 0);
const clampLimit = (limit: number | undefined, dflt: number): number => Math.max(0, Math.min(10_000, Math.floor(limit ?? dflt)));

function parseJson(table: string, id: string, column: string, value: unknown): unknown {
  try {
    return JSON.parse(toText(value));
  } catch (err) {
    throw corruptRow(table, id, column, err);
  }
}

function stringList(table: string, id: string, column: string, value: unknown): string[] {
  const v = parseJson(table, id, column, value);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw corruptRow(table, id, column, new Error('expected a JSON array of strings'));
  return v;
}

function attachmentList(table: string, id: string, value: unknown): PortalAttachmentMeta[] {
  const v = parseJson(table, id, 'attachments', value);
  const ok = Array.isArray(v) && v.every((a) => a && typeof a === 'object' && typeof a.part === 'string' && typeof a.filename === 'string' && typeof a.contentType === 'string' && typeof a.size === 'number');
  if (!ok) throw corruptRow(table, id, 'attachments', new Error('expected a JSON array of {part, filename, contentType, size}'));
  return (v as PortalAttachmentMeta[]).map((a) => ({ part: a.part, filename: a.filename, contentType: a.contentType, size: a.size }));
}

function jsonObject(table: string, id: string, column: string, value: unknown): Record<string, unknown> {
  const v = parseJson(table, id, column, value);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw corruptRow(table, id, column, new Error('expected a JSON object'));
  return v as Record<string, unknown>;
}

/** Runs a row decoder and names the row when a value is not what the schema promises. */
function decode<T>(table: string, id: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (isSealpostError(err)) throw err;
    throw corruptRow(table, id, '(row)', err);
  }
}

const SECURITY: ReadonlySet<string> = new Set<PortalSecurity>(['high', 'medium', 'none']);
const SENT_KINDS: ReadonlySet<string> = new Set<SentKind>(['reply', 'reply-all', 'forward', 'compose']);
const PURPOSES: ReadonlySet<string> = new Set<TokenPurpose>(['message', 'reset', 'recall']);
const SESSION_KINDS: ReadonlySet<string> = new Set<SessionKind>(['session', 'device']);

function oneOf<T extends string>(set: ReadonlySet<string>, value: unknown, what: string): T {
  const s = toText(value);
  if (!set.has(s)) throw new Error(`unknown ${what} ${s}`);
  return s as T;
}

function accountFromRow(row: Record<string, unknown>): PortalAccount {
  const id = String(row.address);
  return decode('portal_accounts', id, () => ({
    address: toText(row.address),
    passwordHash: toTextOrNull(row.password_hash),
    passwordChangedAt: toMillisOrNull(row.password_changed_at),
    totpSecret: row.totp_secret === null || row.totp_secret === undefined ? null : toBytes(row.totp_secret),
    pdfPassword: row.pdf_password === null || row.pdf_password === undefined ? null : toBytes(row.pdf_password),
    locale: toTextOrNull(row.locale),
    failedLogins: toCount(row.failed_logins),
    lockedUntil: toMillisOrNull(row.locked_until),
    lastLoginAt: toMillisOrNull(row.last_login_at),
    createdAt: toMillis(row.created_at),
  }));
}

function passkeyFromRow(row: Record<string, unknown>): PortalPasskey {
  const id = String(row.id);
  return decode('portal_passkeys', id, () => ({
    id,
    address: toText(row.address),
    publicKey: toBytes(row.public_key),
    counter: toMillis(row.counter),
    transports: stringList('portal_passkeys', id, 'transports', row.transports),
    name: toText(row.name),
    createdAt: toMillis(row.created_at),
    lastUsedAt: toMillisOrNull(row.last_used_at),
  }));
}

function messageFromRow(row: Record<string, unknown>, now: number): PortalMessage {
  const id = String(row.id);
  return decode('portal_messages', id, () => {
    const expiresAt = toMillisOrNull(row.expires_at);
    const readAt = toMillisOrNull(row.read_at);
    const recalledAt = toMillisOrNull(row.recalled_at);
    const expiredNoticeAt = toMillisOrNull(row.expired_notice_at);
    const state = recalledAt !== null ? 'recalled' : expiredNoticeAt !== null || (expiresAt !== null && expiresAt <= now) ? 'expired' : readAt !== null ? 'read' : 'unread';
    return {
      id,
      spoolId: toText(row.spool_id),
      recipient: toText(row.recipient),
      sender: toText(row.sender),
      fromHeader: toText(row.from_header),
      subject: toText(row.subject),
      originalMessageId: toText(row.original_message_id),
      to: stringList('portal_messages', id, 'to_addrs', row.to_addrs),
      cc: stringList('portal_messages', id, 'cc_addrs', row.cc_addrs),
      profile: toText(row.profile),
      security: oneOf<PortalSecurity>(SECURITY, row.security, 'security level'),
      allowReply: bool(row.allow_reply),
      allowReplyAll: bool(row.allow_reply_all),
      allowForward: bool(row.allow_forward),
      readReceipts: bool(row.read_receipts),
      locale: toText(row.locale),
      branding: toTextOrNull(row.branding),
      createdAt: toMillis(row.created_at),
      expiresAt,
      readAt,
      recalledAt,
      deletedAt: toMillisOrNull(row.deleted_at),
      size: toMillis(row.size),
      attachments: attachmentList('portal_messages', id, row.attachments),
      remindersSent: toCount(row.reminders_sent),
      lastReminderAt: toMillisOrNull(row.last_reminder_at),
      expiredNoticeAt,
      hasKey: row.key_id !== null && row.key_id !== undefined,
      state,
    };
  });
}

function sentFromRow(row: Record<string, unknown>): SentItem {
  const id = String(row.id);
  return decode('portal_sent', id, () => ({
    id,
    account: toText(row.account),
    kind: oneOf<SentKind>(SENT_KINDS, row.kind, 'sent kind'),
    inReplyTo: toTextOrNull(row.in_reply_to),
    to: stringList('portal_sent', id, 'to_addrs', row.to_addrs),
    cc: stringList('portal_sent', id, 'cc_addrs', row.cc_addrs),
    subject: toText(row.subject),
    spoolId: toText(row.spool_id),
    createdAt: toMillis(row.created_at),
    size: toMillis(row.size),
    attachments: attachmentList('portal_sent', id, row.attachments),
  }));
}

function tokenFromRow(row: Record<string, unknown>): TokenRecord {
  const id = String(row.hash).slice(0, 12);
  return decode('portal_tokens', id, () => ({
    purpose: oneOf<TokenPurpose>(PURPOSES, row.purpose, 'token purpose'),
    address: toText(row.address),
    messageId: toTextOrNull(row.message_id),
    createdAt: toMillis(row.created_at),
    expiresAt: toMillis(row.expires_at),
    usedAt: toMillisOrNull(row.used_at),
  }));
}

function sessionFromRow(row: Record<string, unknown>): SessionRecord {
  const id = String(row.hash).slice(0, 12);
  return decode('portal_sessions', id, () => ({
    kind: oneOf<SessionKind>(SESSION_KINDS, row.kind, 'session kind'),
    address: toText(row.address),
    auth: toText(row.auth),
    data: jsonObject('portal_sessions', id, 'data', row.data),
    createdAt: toMillis(row.created_at),
    lastSeenAt: toMillis(row.last_seen_at),
    expiresAt: toMillis(row.expires_at),
  }));
}

function auditFromRow(row: Record<string, unknown>): AuditEntry {
  const id = String(row.id);
  return decode('portal_audit', id, () => ({
    id,
    at: toMillis(row.at),
    event: toText(row.event) as AuditEvent,
    address: toTextOrNull(row.address),
    messageId: toTextOrNull(row.message_id),
    ip: toTextOrNull(row.ip),
    detail: jsonObject('portal_audit', id, 'detail', row.detail) as Record<string, string | number | boolean | null>,
  }));
}

/** Base class: clock and the write-error wrapper every sub-store uses. */
abstract class Part {
  constructor(protected readonly ctx: StoreContext) {}
  protected get k(): Kysely<Schema> {
    return this.ctx.db.kysely;
  }
  protected now(): number {
    return writeMillis(this.ctx.now(), 'now');
  }
  protected async write<T>(context: Record<string, string>, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, err, { stage: 'portal-store', ...context });
    }
  }
  protected read<T>(f: () => Promise<T>): Promise<T> {
    return reading(this.ctx.db, f);
  }
}

class SqlAccountStore extends Part implements AccountStore {
  get(address: string): Promise<PortalAccount | null> {
    return this.read(async () => {
      const row = await this.k.selectFrom('portal_accounts').selectAll().where('address', '=', lc(address)).executeTakeFirst();
      return row ? accountFromRow(row) : null;
    });
  }

  async ensure(address: string): Promise<PortalAccount> {
    await this.write({ address: lc(address) }, () => ensureAccount(this.k, lc(address), this.now()));
    const got = await this.get(address);
    if (!got) throw writeFailed('SP_ERR_STORE_WRITE_FAILED', this.ctx.db, new Error('account vanished after insert'), { address: lc(address) });
    return got;
  }

  async update(address: string, update: AccountUpdate): Promise<PortalAccount | null> {
    const values: Record<string, unknown> = {};
    if (update.passwordHash !== undefined) {
      values.password_hash = update.passwordHash;
      values.password_changed_at = update.passwordHash === null ? null : this.now();
    }
    if (update.totpSecret !== undefined) values.totp_secret = update.totpSecret;
    if (update.pdfPassword !== undefined) values.pdf_password = update.pdfPassword;
    if (update.locale !== undefined) values.locale = update.locale;
    if (Object.keys(values).length > 0) {
      await this.write({ address: lc(address) }, () => this.k.updateTable('portal_accounts').set(values).where('address', '=', lc(address)).execute());
    }
    return this.get(address);
  }

  async recordLoginFailure(address: string, policy: LoginFailurePolicy): Promise<{ failedLogins: number; lockedUntil: number | null } | null> {
    const addr = lc(address);
    const now = this.now();
    return this.write({ address: addr }, () =>
      this.k.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('portal_accounts')
          .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1).$castTo<number>() }))
          .where('address', '=', addr)
          .executeTakeFirst();
        if (rowsAffected(r) === 0) return null;
        const row = await trx.selectFrom('portal_accounts').select(['failed_logins', 'locked_until']).where('address', '=', addr).executeTakeFirstOrThrow();
        const failedLogins = toCount(row.failed_logins);
        if (failedLogins < policy.maxFailures) return { failedLogins, lockedUntil: toMillisOrNull(row.locked_until) };
        const lockedUntil = writeMillis(now + policy.lockMs, 'lockedUntil');
        await trx.updateTable('portal_accounts').set({ failed_logins: 0, locked_until: lockedUntil }).where('address', '=', addr).execute();
        return { failedLogins, lockedUntil };
      }),
    );
  }

  async recordLoginSuccess(address: string): Promise<void> {
    const addr = lc(address);
    await this.write({ address: addr }, () => this.k.updateTable('portal_accounts').set({ failed_logins: 0, locked_until: null, last_login_at: this.now() }).where('address', '=', addr).execute());
  }

  list(limit?: number): Promise<PortalAccount[]> {
    return this.read(async () => (await this.k.selectFrom('portal_accounts').selectAll().orderBy('created_at', 'desc').orderBy('address').limit(clampLimit(limit, 100)).execute()).map(accountFromRow));
  }
}

async function ensureAccount(db: Db, address: string, now: number): Promise<void> {
  await db
    .insertInto('portal_accounts')
    .values({ address, password_hash: null, password_changed_at: null, totp_secret: null, pdf_password: null, locale: null, failed_logins: 0, locked_until: null, last_login_at: null, created_at: now })
    .onConflict((oc) => oc.column('address').doNothing())
    .execute();
}

class SqlPasskeyStore extends Part implements PasskeyStore {
  async add(p: Omit<PortalPasskey, 'createdAt' | 'lastUsedAt'>): Promise<PortalPasskey> {
    const now = this.now();
    await this.write({ address: lc(p.address) }, () =>
      this.k
        .insertInto('portal_passkeys')
        .values({ id: p.id, address: lc(p.address), public_key: Buffer.from(p.publicKey), counter: writeMillis(p.counter, 'counter'), transports: JSON.stringify(p.transports), name: p.name, created_at: now, last_used_at: null })
        .execute(),
    );
    return { ...p, address: lc(p.address), transports: [...p.transports], createdAt: now, lastUsedAt: null };
  }

  get(id: string): Promise<PortalPasskey | null> {
    return this.read(async () => {
      const row = await this.k.selectFrom('portal_passkeys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? passkeyFromRow(row) : null;
    });
  }

  byAddress(address: string): Promise<PortalPasskey[]> {
    return this.read(async () => (await this.k.selectFrom('portal_passkeys').selectAll().where('address', '=', lc(address)).orderBy('created_at').orderBy('id').execute()).map(passkeyFromRow));
  }

  async markUsed(id: string, counter: number): Promise<void> {
    await this.write({}, () => this.k.updateTable('portal_passkeys').set({ counter: writeMillis(counter, 'counter'), last_used_at: this.now() }).where('id', '=', id).execute());
  }

  async remove(id: string, address: string): Promise<boolean> {
    return this.write({ address: lc(address) }, async () => rowsAffected(await this.k.deleteFrom('portal_passkeys').where('id', '=', id).where('address', '=', lc(address)).executeTakeFirst()) > 0);
  }
}

/** messages joined with their key row, so hasKey can never disagree with the key table */
function selectMessages(db: Db) {
  return db.selectFrom('portal_messages as m').leftJoin('portal_keys as k', 'k.id', 'm.id').selectAll('m').select('k.id as key_id');
}

async function shred(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('portal_keys').where('id', 'in', ids).execute();
  await db.deleteFrom('portal_bodies').where('id', 'in', ids).execute();
}

class SqlMessageStore extends Part implements MessageStore {
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

class SqlSentStore extends Part implements SentStore {
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

class SqlTokenStore extends Part implements TokenStore {
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

class SqlSessionStore extends Part implements SessionStore {
  async create(s: NewSession): Promise<{ id: string; session: SessionRecord }> {
    const id = randomToken();
    const now = this.now();
    const session: SessionRecord = { kind: s.kind, address: lc(s.address), auth: s.auth, data: { ...(s.data ?? {}) }, createdAt: now, lastSeenAt: now, expiresAt: writeMillis(s.expiresAt, 'expiresAt') };
    await this.write({ address: session.address }, () =>
      this.k
        .insertInto('portal_sessions')
        .values({ hash: hashOf(id), kind: session.kind, address: session.address, auth: session.auth, data: JSON.stringify(session.data), created_at: now, last_seen_at: now, expires_at: session.expiresAt })
        .execute(),
    );
    return { id, session };
  }

  async get(id: string): Promise<SessionRecord | null> {
    const row = await this.read(() => this.k.selectFrom('portal_sessions').selectAll().where('hash', '=', hashOf(id)).executeTakeFirst());
    if (!row) return null;
    const session = sessionFromRow(row);
    if (session.expiresAt <= this.ctx.now()) {
      await this.destroy(id);
      return null;
    }
    return session;
  }

  async touch(id: string, changes: { expiresAt?: number; data?: Readonly<Record<string, unknown>> } = {}): Promise<boolean> {
    const now = this.now();
    const set: Record<string, unknown> = { last_seen_at: now };
    if (changes.expiresAt !== undefined) set.expires_at = writeMillis(changes.expiresAt, 'expiresAt');
    if (changes.data !== undefined) set.data = JSON.stringify(changes.data);
    return this.write({}, async () => rowsAffected(await this.k.updateTable('portal_sessions').set(set).where('hash', '=', hashOf(id)).where('expires_at', '>', now).executeTakeFirst()) > 0);
  }

  async destroy(id: string): Promise<boolean> {
    return this.write({}, async () => rowsAffected(await this.k.deleteFrom('portal_sessions').where('hash', '=', hashOf(id)).executeTakeFirst()) > 0);
  }

  async destroyAll(address: string, kind?: SessionKind): Promise<number> {
    return this.write({ address: lc(address) }, async () => {
      let q = this.k.deleteFrom('portal_sessions').where('address', '=', lc(address));
      if (kind !== undefined) q = q.where('kind', '=', kind);
      return rowsAffected(await q.executeTakeFirst());
    });
  }

  async purge(before: number): Promise<number> {
    return this.write({}, async () => rowsAffected(await this.k.deleteFrom('portal_sessions').where('expires_at', '<', writeMillis(before, 'before')).executeTakeFirst()));
  }
}

class SqlAuditStore extends Part implements AuditStore {
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

export function createPortalStore(ctx: StoreContext): PortalStore {
  return {
    accounts: new SqlAccountStore(ctx),
    passkeys: new SqlPasskeyStore(ctx),
    messages: new SqlMessageStore(ctx),
    sent: new SqlSentStore(ctx),
    tokens: new SqlTokenStore(ctx),
    sessions: new SqlSessionStore(ctx),
    audit: new SqlAuditStore(ctx),
  };
}
