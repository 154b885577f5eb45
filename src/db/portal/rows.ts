/**
 * Row codecs and shared helpers of the portal's SQL stores (db/portal/*): every column is read
 * through a checked decoder, so a corrupt row is an SP_ERR_STORE_CORRUPT naming it, never a crash.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { isSealpostError } from '../../errors/index.js';
import type {
  AuditEntry,
  AuditEvent,
  PortalAccount,
  PortalAttachmentMeta,
  PortalMessage,
  PortalPasskey,
  PortalSecurity,
  SentItem,
  SentKind,
  SessionKind,
  SessionRecord,
  TokenPurpose,
  TokenRecord,
} from '../../portal/store.js';
import { corruptRow } from '../codecs.js';
import type { Schema } from '../schema.js';
import { reading, writeFailed, type StoreContext } from '../store-support.js';
import { toBytes, toCount, toMillis, toMillisOrNull, toText, toTextOrNull, writeMillis } from '../values.js';

export type Db = Kysely<Schema> | Transaction<Schema>;

export const lc = (address: string): string => address.trim().toLowerCase();
export const hashOf = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');
export const randomToken = (): string => randomBytes(32).toString('base64url');
export const bool = (v: unknown): boolean => toCount(v) === 1;
export const bit = (b: boolean): number => (b ? 1 : 0);
export const clampLimit = (limit: number | undefined, dflt: number): number => Math.max(0, Math.min(10_000, Math.floor(limit ?? dflt)));

export function parseJson(table: string, id: string, column: string, value: unknown): unknown {
  try {
    return JSON.parse(toText(value));
  } catch (err) {
    throw corruptRow(table, id, column, err);
  }
}

export function stringList(table: string, id: string, column: string, value: unknown): string[] {
  const v = parseJson(table, id, column, value);
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw corruptRow(table, id, column, new Error('expected a JSON array of strings'));
  return v;
}

export function attachmentList(table: string, id: string, value: unknown): PortalAttachmentMeta[] {
  const v = parseJson(table, id, 'attachments', value);
  const ok = Array.isArray(v) && v.every((a) => a && typeof a === 'object' && typeof a.part === 'string' && typeof a.filename === 'string' && typeof a.contentType === 'string' && typeof a.size === 'number');
  if (!ok) throw corruptRow(table, id, 'attachments', new Error('expected a JSON array of {part, filename, contentType, size}'));
  return (v as PortalAttachmentMeta[]).map((a) => ({ part: a.part, filename: a.filename, contentType: a.contentType, size: a.size }));
}

export function jsonObject(table: string, id: string, column: string, value: unknown): Record<string, unknown> {
  const v = parseJson(table, id, column, value);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw corruptRow(table, id, column, new Error('expected a JSON object'));
  return v as Record<string, unknown>;
}

/** Runs a row decoder and names the row when a value is not what the schema promises. */
export function decode<T>(table: string, id: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (isSealpostError(err)) throw err;
    throw corruptRow(table, id, '(row)', err);
  }
}

export const SECURITY: ReadonlySet<string> = new Set<PortalSecurity>(['high', 'medium', 'none']);
export const SENT_KINDS: ReadonlySet<string> = new Set<SentKind>(['reply', 'reply-all', 'forward', 'compose']);
export const PURPOSES: ReadonlySet<string> = new Set<TokenPurpose>(['message', 'reset', 'recall']);
export const SESSION_KINDS: ReadonlySet<string> = new Set<SessionKind>(['session', 'device']);

export function oneOf<T extends string>(set: ReadonlySet<string>, value: unknown, what: string): T {
  const s = toText(value);
  if (!set.has(s)) throw new Error(`unknown ${what} ${s}`);
  return s as T;
}

export function accountFromRow(row: Record<string, unknown>): PortalAccount {
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

export function passkeyFromRow(row: Record<string, unknown>): PortalPasskey {
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

export function messageFromRow(row: Record<string, unknown>, now: number): PortalMessage {
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

export function sentFromRow(row: Record<string, unknown>): SentItem {
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

export function tokenFromRow(row: Record<string, unknown>): TokenRecord {
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

export function sessionFromRow(row: Record<string, unknown>): SessionRecord {
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

export function auditFromRow(row: Record<string, unknown>): AuditEntry {
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
export abstract class Part {
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
