/**
 * portal/store — what the recipients' portal keeps: accounts (+ passkeys), deposited messages,
 * their encrypted bodies and (apart from them) their wrapped per-message keys, sent items,
 * one-time link tokens, sessions and the audit log. The SQL implementation is
 * src/db/portal-store.ts (one schema on SQLite and PostgreSQL); the deposit method, the
 * lifecycle jobs, the CLI and the web app (src/portal/web/) see only these interfaces.
 *
 * SECURITY
 * - Message bodies are stored only as AES-256-GCM ciphertext (portal/crypto.ts). The per-message
 *   key is wrapped under the gateway master key (keystore/key-wrap.ts) and kept in a table of its
 *   own (`keys`), apart from the ciphertext (`bodies`): the key-server model — a copy of the
 *   ciphertext table alone reveals nothing, and deleting the key row (recall, expiry) shreds the
 *   message even where a backup still holds the ciphertext.
 * - Secrets are stored hashed or wrapped, never in the clear: link tokens and session ids as
 *   SHA-256 of the random value handed out (the store generates the values and returns them
 *   once); password hashes are argon2id PHC strings made by the web app; TOTP secrets and PDF
 *   passwords are wrapped (KeyWrapper, contexts `portal-totp:<address>` / `portal-pdf:<address>`).
 * - `readableBody` is the only way to the body blob, and it refuses a message that is recalled,
 *   expired or not the caller's (IDOR): callers pass the authenticated address, never an id alone.
 * - Audit entries name events, addresses and message ids; never bodies, subjects or passwords.
 * - Addresses are compared lowercased: the store lowercases every address it is given.
 */

/** per-profile security level (DESIGN §4 profiles.<name>.portal.security) */
export type PortalSecurity = 'high' | 'medium' | 'none';

// ───────────────────────────── accounts ─────────────────────────────

/** A recipient of portal mail. Created (password-less) when the first message is deposited. */
export interface PortalAccount {
  /** lowercased address; the account's key */
  readonly address: string;
  /** argon2id PHC string ($argon2id$v=19$…); null until the recipient sets a password */
  readonly passwordHash: string | null;
  readonly passwordChangedAt: number | null;
  /** TOTP secret wrapped under the master key (context `portal-totp:<address>`); null = no TOTP */
  readonly totpSecret: Buffer | null;
  /** the portal PDF password (pdf.passwordMode portal), wrapped (context `portal-pdf:<address>`) */
  readonly pdfPassword: Buffer | null;
  /** preferred UI locale chosen by the recipient ('de', 'ja' …); null = from the message/profile */
  readonly locale: string | null;
  /** consecutive failed logins since the last success */
  readonly failedLogins: number;
  /** login refused until then (ms); null = not locked */
  readonly lockedUntil: number | null;
  readonly lastLoginAt: number | null;
  readonly createdAt: number;
}

/** Fields the web app changes; omitted = unchanged, null = clear. */
export interface AccountUpdate {
  readonly passwordHash?: string | null;
  readonly totpSecret?: Buffer | null;
  readonly pdfPassword?: Buffer | null;
  readonly locale?: string | null;
}

export interface LoginFailurePolicy {
  /** failures in a row that lock the account */
  readonly maxFailures: number;
  /** how long a lock lasts (ms) */
  readonly lockMs: number;
}

export interface AccountStore {
  get(address: string): Promise<PortalAccount | null>;
  /** Creates the account when missing (no password); returns it either way. Idempotent. */
  ensure(address: string): Promise<PortalAccount>;
  /** Applies the update; the password change time is stamped when passwordHash is set. Null when there is no such account. */
  update(address: string, update: AccountUpdate): Promise<PortalAccount | null>;
  /**
   * Counts a failed login atomically (concurrent attempts cannot under-count); when the count
   * reaches `maxFailures` the account is locked for `lockMs` and the counter starts again.
   * Unknown addresses: returns null and stores nothing (the caller answers the same either way).
   */
  recordLoginFailure(address: string, policy: LoginFailurePolicy): Promise<{ failedLogins: number; lockedUntil: number | null } | null>;
  /** resets the failure counter and lock, stamps lastLoginAt */
  recordLoginSuccess(address: string): Promise<void>;
  /** most recently created first */
  list(limit?: number): Promise<PortalAccount[]>;
}

/** A WebAuthn credential (passkey) registered to an account. */
export interface PortalPasskey {
  /** credential id, base64url */
  readonly id: string;
  readonly address: string;
  /** COSE public key bytes as @simplewebauthn/server returns them */
  readonly publicKey: Buffer;
  /** signature counter (0 for most passkeys) */
  readonly counter: number;
  /** authenticator transports ('internal', 'hybrid', 'usb' …) */
  readonly transports: readonly string[];
  /** label the recipient gave it */
  readonly name: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

export interface PasskeyStore {
  add(passkey: Omit<PortalPasskey, 'createdAt' | 'lastUsedAt'>): Promise<PortalPasskey>;
  get(id: string): Promise<PortalPasskey | null>;
  byAddress(address: string): Promise<PortalPasskey[]>;
  /** stores the new counter after a successful assertion and stamps lastUsedAt */
  markUsed(id: string, counter: number): Promise<void>;
  /** only the owner's: (id, address) must match */
  remove(id: string, address: string): Promise<boolean>;
}

// ───────────────────────────── messages ─────────────────────────────

/** What the inbox shows of an attachment without decrypting the body. */
export interface PortalAttachmentMeta {
  /** the part's position in the MIME tree, e.g. "2" or "2.1" (what the download route passes back) */
  readonly part: string;
  readonly filename: string;
  readonly contentType: string;
  /** decoded size in bytes */
  readonly size: number;
}

/** Per-message options: the profile's portal settings with the sender's header overrides applied. */
export interface PortalMessageOptions {
  readonly profile: string;
  readonly security: PortalSecurity;
  readonly allowReply: boolean;
  readonly allowReplyAll: boolean;
  readonly allowForward: boolean;
  readonly readReceipts: boolean;
  readonly locale: string;
  /** profile branding name (null = default look) */
  readonly branding: string | null;
}

export interface NewPortalMessage extends PortalMessageOptions {
  /** portal message id (also the id of its body and key rows) */
  readonly id: string;
  /** the gateway message (spool) id it came from; (spoolId, recipient) is unique, so a replay deposits once */
  readonly spoolId: string;
  readonly recipient: string;
  /** the internal sender (envelope sender, lowercased) — read receipts and recall notices go here */
  readonly sender: string;
  /** From header as displayed (may differ from the envelope sender) */
  readonly fromHeader: string;
  /** decoded Subject (shown in the inbox; never logged) */
  readonly subject: string;
  /** Message-ID header of the original, for In-Reply-To of replies ('' when it had none) */
  readonly originalMessageId: string;
  /** the original's To and Cc header addresses (reply-all candidates; never more than these) */
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly createdAt: number;
  /** null = never expires */
  readonly expiresAt: number | null;
  /** size of the plaintext MIME */
  readonly size: number;
  readonly attachments: readonly PortalAttachmentMeta[];
  /** the encrypted body (portal/crypto.ts sealBody) */
  readonly ciphertext: Buffer;
  /** the per-message key wrapped under the master key (context `portal-message:<id>`) */
  readonly wrappedKey: Buffer;
  /** KeyWrapper.kekId of the master key that wrapped it */
  readonly kekId: string;
}

export type PortalMessageState = 'unread' | 'read' | 'recalled' | 'expired';

export interface PortalMessage extends PortalMessageOptions {
  readonly id: string;
  readonly spoolId: string;
  readonly recipient: string;
  readonly sender: string;
  readonly fromHeader: string;
  readonly subject: string;
  readonly originalMessageId: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly createdAt: number;
  readonly expiresAt: number | null;
  /** first read (ms); null = unread */
  readonly readAt: number | null;
  readonly recalledAt: number | null;
  /** the recipient deleted it from the inbox (the sender's view keeps it) */
  readonly deletedAt: number | null;
  readonly size: number;
  readonly attachments: readonly PortalAttachmentMeta[];
  readonly remindersSent: number;
  readonly lastReminderAt: number | null;
  /** when the expired notice was queued (null = not yet) */
  readonly expiredNoticeAt: number | null;
  /** false once the key row is gone (recalled, expired and cleaned, or retention) */
  readonly hasKey: boolean;
  /** derived from the times and `now` at read time */
  readonly state: PortalMessageState;
}

/** The encrypted body and its wrapped key, released only by `readableBody`. */
export interface SealedBody {
  readonly ciphertext: Buffer;
  readonly wrappedKey: Buffer;
  readonly kekId: string;
}

export type ReadableBody = { readonly ok: true; readonly message: PortalMessage; readonly body: SealedBody } | { readonly ok: false; readonly reason: 'not-found' | 'recalled' | 'expired' };

export interface MessageListQuery {
  readonly recipient?: string;
  readonly sender?: string;
  /** include recalled, expired and deleted messages (the CLI; the inbox leaves them out) */
  readonly includeInactive?: boolean;
  readonly limit?: number;
}

export interface MessageStore {
  /**
   * Stores a message with its body and key in one transaction. Idempotent per (spoolId,
   * recipient): a replay after a crash returns the first deposit (`created: false`) and stores
   * nothing new, so the recipient never sees a message twice.
   */
  deposit(message: NewPortalMessage): Promise<{ message: PortalMessage; created: boolean }>;
  /** any state; null when unknown. Admin/CLI and lifecycle use — the web app uses `forRecipient`. */
  get(id: string): Promise<PortalMessage | null>;
  /** the message only when `recipient` is its recipient (IDOR-proof lookup for the web app) */
  forRecipient(id: string, recipient: string): Promise<PortalMessage | null>;
  /** newest first */
  list(query?: MessageListQuery): Promise<PortalMessage[]>;
  /**
   * The sealed body, only for the message's own recipient and only while it is neither recalled
   * nor expired (nor deleted by retention). Every refusal for another recipient is 'not-found'.
   */
  readableBody(id: string, recipient: string): Promise<ReadableBody>;
  /** Stamps the first read; `first: true` only for the call that stamped it (read receipt once). */
  markRead(id: string, recipient: string): Promise<{ first: boolean; message: PortalMessage } | null>;
  /** the recipient hides it from the inbox */
  markDeleted(id: string, recipient: string): Promise<boolean>;
  /**
   * Recall: stamps recalledAt and deletes the key and the ciphertext at once (crypto-shredding).
   * `recalled: false` when it was already recalled or does not exist.
   */
  recall(id: string): Promise<{ recalled: boolean; message: PortalMessage | null }>;
  /**
   * Unread, active (not recalled, expired or deleted) messages created at or before
   * `createdBefore` that have had exactly `remindersSent` reminders, oldest first: reminder n
   * (0-based) is due `portal.reminders[n]` after the deposit.
   */
  dueForReminder(opts: { createdBefore: number; remindersSent: number; limit: number }): Promise<PortalMessage[]>;
  /** counts a reminder; only when remindersSent is still `expectedCount` (two nodes never both send it) */
  markReminded(id: string, expectedCount: number): Promise<boolean>;
  /** expired (expiresAt <= now), not recalled, without an expired notice yet */
  dueForExpiry(opts: { limit: number }): Promise<PortalMessage[]>;
  /** stamps expiredNoticeAt and shreds key + body; false when already done (once per message) */
  markExpired(id: string): Promise<boolean>;
  /**
   * Retention: removes message rows (with any body/key left) whose expiry or recall is older
   * than `before`; returns how many went.
   */
  purge(before: number): Promise<number>;
}

// ───────────────────────────── sent items ─────────────────────────────

export type SentKind = 'reply' | 'reply-all' | 'forward' | 'compose';

export interface NewSentItem {
  readonly id: string;
  /** the portal account that wrote it */
  readonly account: string;
  readonly kind: SentKind;
  /** the portal message it answers (null for compose) */
  readonly inReplyTo: string | null;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  /** the gateway (spool) id it was injected as */
  readonly spoolId: string;
  readonly createdAt: number;
  readonly size: number;
  readonly attachments: readonly PortalAttachmentMeta[];
  /** the injected MIME, sealed like a message body (context `portal-sent:<id>`) */
  readonly ciphertext: Buffer;
  readonly wrappedKey: Buffer;
  readonly kekId: string;
}

export type SentItem = Omit<NewSentItem, 'ciphertext' | 'wrappedKey' | 'kekId'>;

export interface SentStore {
  add(item: NewSentItem): Promise<SentItem>;
  /** the account's own items, newest first */
  list(account: string, limit?: number): Promise<SentItem[]>;
  /** only the author's (IDOR-proof); with the sealed body */
  get(id: string, account: string): Promise<{ item: SentItem; body: SealedBody | null } | null>;
  /** retention: sent items older than `before` */
  purge(before: number): Promise<number>;
}

// ───────────────────────────── one-time tokens ─────────────────────────────

/**
 * - `message`: the link in a portal-message / reminder notice (opens one message; first POST
 *   may set the password, a registered recipient logs in);
 * - `reset`: password reset by e-mail;
 * - `recall`: the sender's recall link (portal/lifecycle.ts recallByToken).
 */
export type TokenPurpose = 'message' | 'reset' | 'recall';

export interface NewToken {
  readonly purpose: TokenPurpose;
  /** whose token: the recipient (message, reset) or the sender (recall) */
  readonly address: string;
  /** the portal message it opens or recalls */
  readonly messageId: string | null;
  readonly expiresAt: number;
}

export interface TokenRecord extends NewToken {
  readonly createdAt: number;
  /** null while unused */
  readonly usedAt: number | null;
}

export interface TokenStore {
  /** Generates a random token (base64url, 256 bits), stores its SHA-256, returns the token once. */
  issue(token: NewToken): Promise<string>;
  /**
   * Looks a token up WITHOUT consuming it — what a GET does (link scanners fetch links; they must
   * not burn them). Null when unknown or of another purpose; expired or used tokens are returned
   * with their times so the page can say so.
   */
  peek(token: string, purpose: TokenPurpose): Promise<TokenRecord | null>;
  /**
   * Consumes the token atomically — only a POST does this. Returns the record for exactly one
   * caller; null when unknown, of another purpose, expired or already used.
   */
  consume(token: string, purpose: TokenPurpose): Promise<TokenRecord | null>;
  /** removes tokens that expired before `before` */
  purge(before: number): Promise<number>;
}

// ───────────────────────────── sessions ─────────────────────────────

/**
 * `session`: a login (cookie) with an idle and an absolute expiry; `device`: a remembered device
 * (security `medium`), long-lived, proves only that this browser logged in before.
 */
export type SessionKind = 'session' | 'device';

export interface NewSession {
  readonly kind: SessionKind;
  readonly address: string;
  readonly expiresAt: number;
  /** how the login was made: 'password', 'password+totp', 'passkey', 'link' … (audit and step-up) */
  readonly auth: string;
  /** small JSON-able state of the web app (CSRF secret, pending WebAuthn challenge …); no secrets of the user */
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface SessionRecord extends Required<NewSession> {
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

export interface SessionStore {
  /** Generates the session id (base64url, 256 bits), stores its SHA-256, returns the id once. */
  create(session: NewSession): Promise<{ id: string; session: SessionRecord }>;
  /** null when unknown or expired (an expired session is deleted on sight) */
  get(id: string): Promise<SessionRecord | null>;
  /** stamps lastSeenAt, optionally moves expiresAt (sliding idle timeout) and replaces data */
  touch(id: string, changes?: { expiresAt?: number; data?: Readonly<Record<string, unknown>> }): Promise<boolean>;
  destroy(id: string): Promise<boolean>;
  /** every session/device of an address (password change, reset, lockout) */
  destroyAll(address: string, kind?: SessionKind): Promise<number>;
  purge(before: number): Promise<number>;
}

// ───────────────────────────── audit ─────────────────────────────

export type AuditEvent =
  | 'deposit'
  | 'login'
  | 'login-failed'
  | 'lockout'
  | 'logout'
  | 'password-set'
  | 'password-reset'
  | 'totp-enabled'
  | 'totp-disabled'
  | 'passkey-added'
  | 'passkey-removed'
  | 'pdf-password-set'
  | 'read'
  | 'download'
  | 'reply'
  | 'recall'
  | 'expire'
  | 'reminder'
  | 'read-receipt'
  | 'delete';

export interface NewAuditEntry {
  readonly event: AuditEvent;
  /** the account or sender the event concerns (lowercased); null when none (e.g. an unknown address is NOT recorded verbatim) */
  readonly address: string | null;
  readonly messageId?: string | null;
  /** client IP for web events */
  readonly ip?: string | null;
  /** small facts: { auth: 'passkey' }, { part: '2' }, { by: 'cli' } — never bodies, subjects or passwords */
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditEntry extends Required<NewAuditEntry> {
  readonly id: string;
  readonly at: number;
}

export interface AuditStore {
  record(entry: NewAuditEntry): Promise<void>;
  /** newest first, filtered */
  list(query?: { address?: string; messageId?: string; limit?: number }): Promise<AuditEntry[]>;
  purge(before: number): Promise<number>;
}

// ───────────────────────────── the bundle ─────────────────────────────

export interface PortalStore {
  readonly accounts: AccountStore;
  readonly passkeys: PasskeyStore;
  readonly messages: MessageStore;
  readonly sent: SentStore;
  readonly tokens: TokenStore;
  readonly sessions: SessionStore;
  readonly audit: AuditStore;
}
