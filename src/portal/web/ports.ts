/**
 * What the portal web app needs from the rest of Sealpost, besides the PortalStore: opening a
 * sealed body, injecting a reply, sending a reset link and a read receipt, and knowing which
 * addresses are internal. src/app.ts wires these to the back-end (portal/crypto.ts,
 * portal/inject.ts, the notifier); tests wire them to the same real modules.
 * SECURITY: the web app never sees the master key; it asks `openBody` for the plaintext of a
 * body that `readableBody` released for the logged-in recipient.
 */
import type { Logger } from 'pino';
import type { InjectAttachment, InjectRequest } from '../inject.js';
import type { PortalMessage, PortalStore, SealedBody } from '../store.js';

/** An attachment of a portal reply: what the back-end injects (portal/inject.ts). */
export type OutgoingAttachment = InjectAttachment;

/**
 * A reply, reply-all, forward or new message written in the portal: the back-end's InjectRequest,
 * with the answered message itself (the web app already loaded it for the logged-in recipient).
 */
export type PortalReply = Omit<InjectRequest, 'originalId'> & { readonly inReplyTo: PortalMessage | null };

export interface PortalWebPorts {
  readonly store: PortalStore;
  /** The plaintext MIME of a deposited message body (unwrap its key, open the AEAD). */
  openBody(message: PortalMessage, body: SealedBody): Promise<Buffer>;
  /**
   * Hands the reply to the gateway as inbound mail (spool) and records the sent item; returns the
   * sent item id. Re-checks recipients and rights itself (SP_ERR_PORTAL_REPLY_REFUSED); a forward
   * re-reads the original from the store.
   */
  inject(reply: PortalReply): Promise<{ id: string }>;
  /** Sends `link` (a password-reset page) to `address`; the caller has checked the account exists. */
  sendPasswordReset(address: string, link: string, locale: string): Promise<void>;
  /** The first read of a message whose readReceipts option is on. */
  readReceipt(message: PortalMessage, readAt: number): Promise<void>;
  /** true for addresses inside internalDomains (the only ones a portal user may write to) */
  isInternal(address: string): boolean;
  /** wraps/unwraps a TOTP secret under the master key (context `portal-totp:<address>`) */
  wrapTotp(address: string, secret: Buffer): Buffer;
  unwrapTotp(address: string, wrapped: Buffer): Buffer;
  /**
   * PDF password mode `portal` (portal/pdf-password.ts portalPdfPasswords): the security page
   * offers the PDF password only when this is wired. `set` throws SP_ERR_PORTAL_INPUT_INVALID for
   * a length outside the bounds.
   */
  readonly pdfPasswords?: {
    has(address: string): Promise<boolean>;
    set(address: string, password: string, ip?: string): Promise<void>;
    clear(address: string): Promise<void>;
  };
}

export interface PortalWebOptions {
  /** host:port to listen on */
  readonly listen: string;
  /** the public URL (links in notices, WebAuthn origin; its host is the rpID) */
  readonly baseUrl: string;
  /** PEM certificate and key; absent = a self-signed one for the baseUrl host, made at start */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** HMAC key for CSRF tokens and signed cookies (the gateway secret) */
  readonly secret: Buffer;
  readonly logger: Logger;
  /** product name shown when a profile has no branding */
  readonly name?: string;
  /**
   * notifications.brandings: a profile's `portal.branding` names one; the portal then shows its
   * organisation, accent colour and footer like the notices do (a name not listed is shown as
   * the organisation name with the default look).
   */
  readonly brandings?: Readonly<Record<string, { readonly organisation: string; readonly colour?: string; readonly footer?: string }>>;
  /** login failures before an account is locked, and for how long */
  readonly lockout?: { readonly maxFailures: number; readonly lockMs: number };
  /** failed logins per client IP per 10 minutes before the IP must wait */
  readonly ipFailuresPer10Min?: number;
  /** session idle timeout and absolute lifetime (ms) */
  readonly sessionIdleMs?: number;
  readonly sessionMaxMs?: number;
  /** remembered-device lifetime (security `medium`) */
  readonly deviceMs?: number;
  /** largest reply with attachments (bytes) */
  readonly maxUpload?: number;
  /** argon2id cost (tests lower it) */
  readonly argon2?: { readonly memoryCost: number; readonly timeCost: number };
  /** clock (tests) */
  readonly now?: () => number;
}
