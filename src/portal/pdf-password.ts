/**
 * portal/pdf-password — the `pdf` method's password mode `portal` (DESIGN §4
 * profiles.<name>.pdf.passwordMode): a recipient who has a portal account sets a PDF password
 * once in the portal; later PDFs for them are encrypted with it, and nobody has to send them a
 * password again. It is NOT the login password (that one is an argon2id hash and cannot be
 * used to encrypt anything): it is kept apart, wrapped under the master key
 * (context `portal-pdf:<address>`), because the gateway must be able to read it back.
 * SECURITY: the password never appears in logs, audit details or errors; a wrapped value that
 * does not open (other master key, damage) is an error, never an empty password.
 */
import { SealpostError } from '../errors/index.js';
import type { PortalCrypto } from './crypto.js';
import type { PortalStore } from './store.js';

export const PDF_PASSWORD_MIN = 10;
export const PDF_PASSWORD_MAX = 127;

export interface PortalPdfPasswords {
  /** the recipient's PDF password, or null when they have none (the method cannot serve them) */
  lookup(address: string): Promise<string | null>;
  /** true when the recipient has one, without unwrapping it (canServe) */
  has(address: string): Promise<boolean>;
  /** sets or replaces it; the account must exist (SP_ERR_STORE_NOT_FOUND); a password outside the length bounds is refused (SP_ERR_PORTAL_INPUT_INVALID, shown by the page) */
  set(address: string, password: string, ip?: string): Promise<void>;
  clear(address: string): Promise<void>;
}

export function portalPdfPasswords(store: PortalStore, crypto: PortalCrypto): PortalPdfPasswords {
  return {
    async lookup(address) {
      const account = await store.accounts.get(address);
      if (!account?.pdfPassword) return null;
      return crypto.unwrapSecret('pdf', account.address, account.pdfPassword).toString('utf8');
    },
    async has(address) {
      return (await store.accounts.get(address))?.pdfPassword != null;
    },
    async set(address, password, ip) {
      // what the PDF R6 security handler (and encryptPdf) accepts: at most 127 UTF-8 bytes, no controls
      const length = [...password].length;
      if (length < PDF_PASSWORD_MIN || Buffer.byteLength(password, 'utf8') > PDF_PASSWORD_MAX || /[\x00-\x1f\x7f]/.test(password)) {
        throw new SealpostError('SP_ERR_PORTAL_INPUT_INVALID', `a PDF password needs at least ${PDF_PASSWORD_MIN} characters, at most ${PDF_PASSWORD_MAX} bytes, and no control characters`, { stage: 'portal-pdf-password' });
      }
      const account = await store.accounts.get(address);
      if (!account) throw new SealpostError('SP_ERR_STORE_NOT_FOUND', 'no portal account for this address', { stage: 'portal-pdf-password' });
      await store.accounts.update(account.address, { pdfPassword: crypto.wrapSecret('pdf', account.address, Buffer.from(password, 'utf8')) });
      await store.audit.record({ event: 'pdf-password-set', address: account.address, ip: ip ?? null });
    },
    async clear(address) {
      await store.accounts.update(address, { pdfPassword: null });
    },
  };
}
