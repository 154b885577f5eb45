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
import type { PortalStore } from '../portal/store.js';
import { SqlAccountStore, SqlPasskeyStore, SqlSessionStore } from './portal/accounts.js';
import { SqlMessageStore, SqlSentStore } from './portal/messages.js';
import { SqlAuditStore, SqlTokenStore } from './portal/tokens-audit.js';
import type { StoreContext } from './store-support.js';

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
