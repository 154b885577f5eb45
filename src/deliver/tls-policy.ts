/**
 * Outbound TLS policy (`delivery.tls.policies[]`) with Postfix's meanings of the levels:
 * - `none`: never STARTTLS.
 * - `may`: STARTTLS when offered, any certificate; a failed handshake is retried in plaintext.
 * - `encrypt`: TLS mandatory, the certificate is not checked.
 * - `verify`: TLS mandatory, chain verified against the trust store, and the peer's name checked:
 *   the MX host name for direct delivery (as Postfix's verify: hostname), the host for a relay.
 * - `secure`: TLS mandatory, chain verified, and a certificate name must be the next-hop domain
 *   or one of its subdomains (Postfix's secure with its default match `nexthop:dot-nexthop`):
 *   the MX host name from DNS is not trusted.
 * - `fingerprint`: TLS mandatory, the certificate's SHA-256 fingerprint must be pinned; no CA check.
 * Policies are keyed by next-hop destination, as in Postfix: the recipient domain for direct
 * (mx) delivery, the relay's host name for smtp://, smtps:// and submission:// hops.
 * SECURITY: every mandatory level fails closed (deferred, never plaintext). Names and chains are
 * checked by checkPeer() after the handshake, before any mail command or AUTH is sent; Node's own
 * name check is switched off so a chain result and a name result can be told apart.
 * STANDARDS: RFC 3207 (STARTTLS), RFC 7435 (opportunistic security), RFC 6125 (names).
 */
import { readFileSync } from 'node:fs';
import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { isIP } from 'node:net';
import { SealpostError } from '../errors/index.js';

export type TlsLevel = 'none' | 'may' | 'encrypt' | 'verify' | 'secure' | 'fingerprint';

export const MANDATORY_LEVELS: ReadonlySet<TlsLevel> = new Set(['encrypt', 'verify', 'secure', 'fingerprint']);

export interface TlsPolicyEntry {
  /** "example.com" (exactly), "*.example.com" or ".example.com" (its subdomains) */
  readonly domain: string;
  readonly level: TlsLevel;
  /** for `fingerprint`: SHA-256 of the certificate, "AA:BB:…" or plain hex */
  readonly fingerprints?: readonly string[];
}

/** What one session must do: the level and the names it is checked against. */
export interface AppliedTls {
  readonly level: TlsLevel;
  /** the name `verify` (and the recorded `verified` of may/encrypt) checks: MX host or relay host */
  readonly hostname: string;
  /** the next-hop destination `secure` matches: the recipient domain, or the relay host */
  readonly nexthop: string;
  /** normalised (lower-case hex, no colons) pinned fingerprints */
  readonly fingerprints: readonly string[];
}

/** The result of checking a peer certificate against an AppliedTls. */
export interface PeerCheck {
  /** chain verified and the level's name matched (fingerprint: the pin matched) */
  readonly verified: boolean;
  /** why the session must not be used; undefined when it may */
  readonly failure?: string;
  /** SHA-256 of the peer certificate, "AA:BB:…" */
  readonly fingerprint?: string;
}

const CHAIN_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_GET_ISSUER_CERT: 'issuer certificate not found',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer not in the trust store',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issuer not in the trust store',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate revoked',
};

/** Node's authorizationError (an OpenSSL code such as DEPTH_ZERO_SELF_SIGNED_CERT), readable. */
function chainError(socket: TLSSocket): string {
  const code = String(socket.authorizationError ?? 'not trusted');
  return CHAIN_ERRORS[code] ? `${CHAIN_ERRORS[code]} (${code})` : code;
}

/** Reads `delivery.tls.caFile` (PEM certificates); a missing or empty file is a config error. */
export function loadTrustStore(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SealpostError('SP_ERR_CONFIG_INVALID', `delivery.tls.caFile: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { stage: 'deliver' }, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new SealpostError('SP_ERR_CONFIG_INVALID', `delivery.tls.caFile: ${file} holds no PEM certificate`, { stage: 'deliver' });
  return pem;
}

/** "AA:bb:…" or "aabb…" → "aabb…"; undefined when it is not a SHA-256 fingerprint. */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text.trim().replace(/:/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/** Postfix's ".example.com" is our "*.example.com"; both mean: subdomains, not the domain itself. */
function canonicalPattern(domain: string): string {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  return d.startsWith('.') ? `*${d}` : d;
}

/** Lookup of the policy for a next-hop destination: exact entry first, then the closest `*.parent`. */
export class TlsPolicyTable {
  private readonly entries = new Map<string, TlsPolicyEntry>();

  constructor(entries: readonly TlsPolicyEntry[] = []) {
    for (const e of entries) {
      const key = canonicalPattern(e.domain);
      if (!this.entries.has(key)) this.entries.set(key, e); // first entry wins, as in a route list
    }
  }

  lookup(destination: string): TlsPolicyEntry | undefined {
    const name = destination.toLowerCase().replace(/\.$/, '');
    const exact = this.entries.get(name);
    if (exact) return exact;
    const labels = name.split('.');
    for (let i = 1; i < labels.length; i++) {
      const wild = this.entries.get(`*.${labels.slice(i).join('.')}`);
      if (wild) return wild;
    }
    return undefined;
  }

  /** The session settings for a destination, with `fallback` when no entry matches. */
  apply(destination: string, hostname: string, fallback: TlsLevel): AppliedTls {
    const entry = this.lookup(destination);
    const fingerprints = (entry?.fingerprints ?? []).map(normaliseFingerprint).filter((f): f is string => f !== undefined);
    return { level: entry?.level ?? fallback, hostname: hostname.toLowerCase(), nexthop: destination.toLowerCase().replace(/\.$/, ''), fingerprints };
  }
}

/** DNS names of a certificate: subjectAltName dNSNames, or the CN when there are none. */
function certificateNames(cert: PeerCertificate): string[] {
  const alt = (cert.subjectaltname ?? '')
    .split(/,\s*/)
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4).toLowerCase().replace(/\.$/, ''));
  if (alt.length > 0) return alt;
  const cn = cert.subject?.CN;
  const cns = Array.isArray(cn) ? cn : cn ? [cn] : [];
  return cns.map((c) => c.toLowerCase().replace(/\.$/, ''));
}

/** RFC 6125 host-name check (wildcards, IP SANs) for `verify`. */
export function matchesHostname(cert: PeerCertificate, hostname: string): boolean {
  return checkServerIdentity(hostname, cert) === undefined;
}

/** Postfix's `nexthop:dot-nexthop`: a name equal to the domain or below it (a wildcard below counts). */
export function matchesNexthop(cert: PeerCertificate, nexthop: string): boolean {
  if (isIP(nexthop)) return matchesHostname(cert, nexthop);
  return certificateNames(cert).some((n) => {
    // "*.example.com" names only subdomains, which dot-nexthop accepts for nexthop example.com
    const base = n.startsWith('*.') ? n.slice(2) : n;
    return base === nexthop || base.endsWith(`.${nexthop}`);
  });
}

/** Checks an established TLS session against the level; `peer` names the server in messages. */
export function checkPeer(applied: AppliedTls, socket: TLSSocket, peer: string): PeerCheck {
  const cert = socket.getPeerCertificate();
  const fingerprint = cert && typeof cert.fingerprint256 === 'string' ? cert.fingerprint256 : undefined;
  const base = fingerprint ? { fingerprint } : {};
  if (!fingerprint) return { verified: false, ...base, ...(MANDATORY_LEVELS.has(applied.level) ? { failure: `TLS peer ${peer} presented no certificate (policy ${applied.level})` } : {}) };
  // Node's name check is disabled (see connection.ts): `authorized` is the chain alone.
  const chain = socket.authorized === true;
  switch (applied.level) {
    case 'fingerprint': {
      const ok = applied.fingerprints.includes(normaliseFingerprint(fingerprint) ?? '');
      return ok ? { verified: true, ...base } : { verified: false, ...base, failure: `TLS certificate of ${peer} (SHA-256 ${fingerprint}) matches no pinned fingerprint (policy fingerprint)` };
    }
    case 'secure': {
      if (!chain) return { verified: false, ...base, failure: `TLS certificate of ${peer} not verified: ${chainError(socket)} (policy secure)` };
      if (!matchesNexthop(cert, applied.nexthop)) return { verified: false, ...base, failure: `TLS certificate of ${peer} does not match ${applied.nexthop} or its subdomains (policy secure)` };
      return { verified: true, ...base };
    }
    case 'verify': {
      if (!chain) return { verified: false, ...base, failure: `TLS certificate of ${peer} not verified: ${chainError(socket)} (policy verify)` };
      if (!matchesHostname(cert, applied.hostname)) return { verified: false, ...base, failure: `TLS certificate of ${peer} does not match ${applied.hostname} (policy verify)` };
      return { verified: true, ...base };
    }
    default:
      // none (never gets here), may, encrypt: record honestly, never refuse.
      return { verified: chain && matchesHostname(cert, applied.hostname), ...base };
  }
}
