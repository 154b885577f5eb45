/**
 * ca/ — the built-in CA (DESIGN §3 `sealpost ca …`): a small S/MIME CA for organisations
 * without one, kept in the gateway's own stores.
 *
 *   init   — CA key (P-256 default, RSA-3072 with key 'rsa') + self-signed CA certificate
 *            (basicConstraints CA critical, keyCertSign|cRLSign, SKI, optional CRL DP); stored
 *            with source 'ca', made a trust anchor, its key wrapped under the master key; the
 *            `meta` row `ca` (ca/state.ts) names it the current CA; a first (empty) CRL is issued.
 *   issue  — an S/MIME end-entity certificate for one address (ca/build.ts), stored with source
 *            'ca'; for an internal domain its key is also stored (wrapped) so the gateway signs
 *            and decrypts for that user; returns a PKCS#12 (ca/pkcs12-write.ts) with the chain.
 *   revoke — by serial or address; the CRL is re-issued at once.
 *   crl    — a complete CRL signed by the CA, imported into the CRL store (signature checked
 *            there like any other CRL).
 * Every operation that changes the CA re-issues its CRL, so validation under `revocation: hard`
 * finds a fresh one; run `sealpost ca crl` (cron) more often than the CRL validity otherwise.
 * SECURITY: the CA key is unwrapped only for the signature and never written anywhere else.
 */
import type { Database } from '../db/engine.js';
import { SealpostError } from '../errors/index.js';
import type { CertificateRecord, Pki } from '../pki/index.js';
import { parseCertificate } from '../pki/index.js';
import { newCertificate } from '../pki/importer.js';
import { DomainList } from '../receive/relay-rules.js';
import { buildCaCertificate, buildCrl, buildEndEntity, generateKey, signingKeyOf, type CaSigner, type KeyKind, type RevocationReason } from './build.js';
import { writePkcs12 } from './pkcs12-write.js';
import { normalizeSerial, readCaState, writeCaState, type CaState, type RevokedEntry } from './state.js';

export { normalizeSerial } from './state.js';
export { REVOCATION_REASONS, type KeyKind, type RevocationReason } from './build.js';

export const DAY_MS = 86_400_000;
export const DEFAULT_CRL_VALIDITY_MS = 30 * DAY_MS;

export interface CaDeps {
  readonly pki: Pki;
  readonly db: Database;
  readonly internalDomains: readonly string[];
  readonly now?: () => number;
}

export interface CrlIssued {
  readonly der: Buffer;
  readonly number: number;
  readonly revokedCount: number;
  readonly stored: boolean;
  readonly nextUpdate: number;
}

const usage = (detail: string, context: Record<string, string> = {}) => new SealpostError('SP_ERR_CLI_USAGE', detail, context);

export function parseValidity(text: string, what = '--validity'): number {
  const m = /^(\d+)\s*(y|m|w|d)$/i.exec(text.trim());
  const n = m ? Number(m[1]) : 0;
  if (!m || n < 1) throw usage(`${what} ${JSON.stringify(text)}: give a number with y, m, w or d (e.g. 10y, 18m, 90d)`);
  const unit = m[2]!.toLowerCase();
  return n * (unit === 'y' ? 365 : unit === 'm' ? 30 : unit === 'w' ? 7 : 1) * DAY_MS;
}

export class BuiltinCa {
  readonly #now: () => number;
  readonly #internal: DomainList;

  constructor(private readonly deps: CaDeps) {
    this.#now = deps.now ?? Date.now;
    this.#internal = new DomainList(deps.internalDomains);
  }

  get #vault() {
    if (!this.deps.pki.keys) throw new SealpostError('SP_ERR_CONFIG_INVALID', 'the built-in CA needs the master key (secrets.masterKeyFile)', { stage: 'ca' });
    return this.deps.pki.keys;
  }

  /** The current CA certificate, or null before `ca init`. */
  async current(): Promise<CertificateRecord | null> {
    const state = await readCaState(this.deps.db);
    return state.current ? this.deps.pki.stores.certificates.get(state.current) : null;
  }

  async #signer(): Promise<{ record: CertificateRecord; signer: CaSigner; state: CaState }> {
    const state = await readCaState(this.deps.db);
    const record = state.current ? await this.deps.pki.stores.certificates.get(state.current) : null;
    if (!record) throw usage('no built-in CA: run `sealpost ca init` first');
    const key = await this.#vault.get(record.id);
    if (!key) throw new SealpostError('SP_ERR_STORE_CORRUPT', `the private key of the CA certificate ${record.id} is missing`, { stage: 'ca' });
    const { kind, key: cryptoKey } = await signingKeyOf(key);
    return { record, signer: { certificate: record.der, kind, key: cryptoKey }, state };
  }

  async init(o: { subject: string; validityMs: number; key: KeyKind; crlUrl?: string; force: boolean }): Promise<{ record: CertificateRecord; previous: string | null; crl: CrlIssued }> {
    const state = await readCaState(this.deps.db);
    const existing = state.current ? await this.deps.pki.stores.certificates.get(state.current) : null;
    if (existing && !o.force) throw usage(`a built-in CA exists already (${existing.subject}, ${existing.id}); give --force to replace it`, { certificateId: existing.id });
    if (o.crlUrl !== undefined && !/^https?:\/\//.test(o.crlUrl)) throw usage(`--crl-url ${JSON.stringify(o.crlUrl)} must be an http:// (or https://) URL`);
    const vault = this.#vault;
    const key = await generateKey(o.key);
    let der: Buffer;
    try {
      der = await buildCaCertificate({ subject: o.subject, validityMs: o.validityMs, key, now: this.#now(), ...(o.crlUrl ? { crlUrl: o.crlUrl } : {}) });
    } catch (err) {
      throw usage(`--subject ${JSON.stringify(o.subject)}: ${(err as Error).message}`);
    }
    const parsed = parseCertificate(der);
    await this.deps.pki.stores.certificates.add(newCertificate(parsed, 'ca'));
    await this.deps.pki.stores.roots.add(parsed.id);
    await vault.put(parsed.id, key.keyObject);
    const next: CaState = { current: parsed.id, cas: { ...state.cas, [parsed.id]: { crlUrl: o.crlUrl ?? null, crlNumber: 0, revoked: [] } } };
    await writeCaState(this.deps.db, next, this.#now());
    const crl = await this.crl();
    const record = (await this.deps.pki.stores.certificates.get(parsed.id))!;
    return { record, previous: existing && existing.id !== parsed.id ? existing.id : null, crl };
  }

  async issue(o: { email: string; validityMs: number; key: KeyKind; password: string }): Promise<{ record: CertificateRecord; p12: Buffer; keyStored: boolean; internal: boolean; ca: CertificateRecord }> {
    const email = o.email.trim().toLowerCase();
    if (!/^[^\s@<>()",;]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(email)) throw usage(`not an email address: ${JSON.stringify(o.email)}`);
    if (o.password.length === 0) throw usage('the PKCS#12 password must not be empty');
    const { record: ca, signer, state } = await this.#signer();
    const key = await generateKey(o.key);
    const now = this.#now();
    const crlUrl = state.cas[ca.id]?.crlUrl ?? null;
    const { der } = await buildEndEntity({ email, validityMs: o.validityMs, key, ca: signer, now, ...(crlUrl ? { crlUrl } : {}) });
    const parsed = parseCertificate(der);
    await this.deps.pki.stores.certificates.add(newCertificate(parsed, 'ca'));
    const internal = this.#internal.matches(email.slice(email.lastIndexOf('@') + 1));
    if (internal) await this.#vault.put(parsed.id, key.keyObject);
    const p12 = writePkcs12({ key: key.keyObject, certificate: der, chain: [ca.der], password: o.password, friendlyName: email });
    const record = (await this.deps.pki.stores.certificates.get(parsed.id))!;
    return { record, p12, keyStored: internal, internal, ca };
  }

  /** Revokes certificates of the current CA by serial (hex) or by address (all of its certificates). */
  async revoke(target: string, reason: RevocationReason = 'unspecified'): Promise<{ revoked: RevokedEntry[]; crl: CrlIssued }> {
    const { record: ca, state } = await this.#signer();
    const certs = this.deps.pki.stores.certificates;
    let matches: CertificateRecord[];
    if (target.includes('@')) {
      matches = (await certs.byEmail(target.trim().toLowerCase())).filter((c) => c.issuerKey === ca.subjectKey && !c.isCa && c.id !== ca.id);
    } else {
      const serial = normalizeSerial(target);
      if (!serial) throw usage(`not a serial number or address: ${JSON.stringify(target)}`);
      matches = (await certs.byIssuerSerial(ca.subjectKey, serial)).filter((c) => c.id !== ca.id);
    }
    if (matches.length === 0) throw new SealpostError('SP_ERR_STORE_NOT_FOUND', `no certificate issued by the built-in CA matches ${target}`, { path: target });
    const caState = state.cas[ca.id] ?? { crlUrl: null, crlNumber: 0, revoked: [] };
    const known = new Set(caState.revoked.map((r) => r.serial));
    const added: RevokedEntry[] = matches.filter((c) => !known.has(c.serial)).map((c) => ({ serial: c.serial, at: this.#now(), email: c.emails[0] ?? null, reason }));
    await writeCaState(this.deps.db, { ...state, cas: { ...state.cas, [ca.id]: { ...caState, revoked: [...caState.revoked, ...added] } } }, this.#now());
    return { revoked: added, crl: await this.crl() };
  }

  /** Issues and stores a new complete CRL of the current CA. */
  async crl(validityMs: number = DEFAULT_CRL_VALIDITY_MS): Promise<CrlIssued> {
    const { record: ca, signer, state } = await this.#signer();
    const caState = state.cas[ca.id] ?? { crlUrl: null, crlNumber: 0, revoked: [] };
    const number = caState.crlNumber + 1;
    const now = this.#now();
    const der = await buildCrl({ ca: signer, revoked: caState.revoked, number, validityMs, now });
    await writeCaState(this.deps.db, { ...state, cas: { ...state.cas, [ca.id]: { ...caState, crlNumber: number } } }, now);
    const imported = await this.deps.pki.crls.importCrl(der);
    return { der, number, revokedCount: caState.revoked.length, stored: imported.stored, nextUpdate: now + validityMs };
  }
}
