/**
 * portal/deposit — puts one message into the portal for one recipient: reads what the inbox
 * shows (subject, From, To/Cc, attachments) from the MIME, seals the body (portal/crypto.ts)
 * and stores it, idempotently per (gateway message id, recipient); then issues the single-use
 * link token for the notice.
 * SECURITY: the MIME is untrusted; it is only read for display metadata (bounded parser of the
 * web app, never executed). The stored copy loses the sender's request headers (X-Sealpost-*,
 * X-PostX-*) — they were meant for us. Nothing here logs the subject or the body.
 */
import { MessageDraft } from '../mime/draft.js';
import { REQUEST_HEADER_PATTERN } from '../protect/finalize-stage.js';
import type { PortalCrypto } from './crypto.js';
import { applyOverrides, type PortalOverrides } from './overrides.js';
import type { PortalMessage, PortalMessageOptions, PortalSecurity, PortalStore } from './store.js';
import { parseMessageView } from './web/mime-view.js';

/** The profile's `portal` settings (config profiles.<name>.portal). */
export interface ProfilePortalSettings {
  readonly security: PortalSecurity;
  readonly expiresAfter: number;
  readonly readReceipts: boolean;
  readonly allowReply: boolean;
  readonly allowReplyAll: boolean;
  readonly allowForward: boolean;
  readonly locale: string;
  readonly branding?: string | undefined;
}

export interface DepositRequest {
  /** gateway (spool) message id */
  readonly spoolId: string;
  readonly recipient: string;
  /** envelope sender */
  readonly sender: string;
  /** the message as the recipient will read it */
  readonly draft: MessageDraft;
  readonly profile: string;
  readonly settings: ProfilePortalSettings;
  readonly overrides: PortalOverrides;
}

export interface DepositDeps {
  readonly store: PortalStore;
  readonly crypto: PortalCrypto;
  readonly now: () => number;
  readonly newId: () => string;
}

const ADDRESS = /[^\s<>,;:"()]+@[^\s<>,;:"()]+/g;

/** Addresses named in header values (lowercased, deduplicated, at most 100). */
export function addressesIn(values: readonly string[]): string[] {
  const found = new Set<string>();
  for (const m of values.join(',').matchAll(ADDRESS)) {
    found.add(m[0].toLowerCase());
    if (found.size >= 100) break;
  }
  return [...found];
}

/** Options stored with the message: the profile's, with the sender's overrides applied. */
export function messageOptions(profile: string, settings: ProfilePortalSettings, overrides: PortalOverrides): PortalMessageOptions & { expiresAfter: number } {
  const s = applyOverrides(settings, overrides);
  return {
    profile,
    security: s.security,
    allowReply: s.allowReply,
    allowReplyAll: s.allowReplyAll,
    allowForward: s.allowForward,
    readReceipts: s.readReceipts,
    locale: s.locale,
    branding: s.branding ?? null,
    expiresAfter: s.expiresAfter,
  };
}

/** The copy kept in the portal: without the sender's requests to the gateway. */
export function storedCopy(draft: MessageDraft): Buffer {
  return draft.filter((f) => !REQUEST_HEADER_PATTERN.test(f.name)).toBuffer();
}

export async function depositMessage(deps: DepositDeps, req: DepositRequest): Promise<{ message: PortalMessage; created: boolean }> {
  const raw = storedCopy(req.draft);
  const view = parseMessageView(raw);
  const opts = messageOptions(req.profile, req.settings, req.overrides);
  const id = deps.newId();
  const createdAt = deps.now();
  const sealed = deps.crypto.seal('message', id, raw);
  const { expiresAfter, ...options } = opts;
  return deps.store.messages.deposit({
    ...options,
    id,
    spoolId: req.spoolId,
    recipient: req.recipient,
    sender: req.sender,
    fromHeader: view.from.slice(0, 998),
    subject: view.subject.slice(0, 998),
    originalMessageId: view.messageId.slice(0, 998),
    to: addressesIn(req.draft.getAll('To')),
    cc: addressesIn(req.draft.getAll('Cc')),
    createdAt,
    // 0 = never (a profile may say expiresAfter: 0s)
    expiresAt: expiresAfter > 0 ? createdAt + expiresAfter : null,
    size: raw.length,
    attachments: view.attachments.map((a) => ({ part: a.part, filename: a.filename.slice(0, 255), contentType: a.contentType.slice(0, 255), size: a.data.length })),
    ...sealed,
  });
}

/** Lifetime of a message link: until the message expires, else `linkValidityMs`. */
export function linkExpiry(message: Pick<PortalMessage, 'expiresAt'>, now: number, linkValidityMs: number): number {
  return message.expiresAt ?? now + linkValidityMs;
}

/** `${base}/m/<token>`: the token only — no address, no message id. */
export function messageLink(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/m/${token}`;
}

/** `${base}/recall/<token>`: the sender's recall link (GET shows, POST recalls). */
export function recallLink(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/recall/${token}`;
}
