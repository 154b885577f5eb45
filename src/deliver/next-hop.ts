/**
 * Next-hop specifications from `relay.outbound` / `relay.inbound` / `relay.routes[].to`.
 *
 * SECURITY: a submission:// spec carries a password; it lives only in the parsed NextHop and is
 * never printed — use describeHop() for logs, traces, queue records and errors.
 * STANDARDS: RFC 5321 (port 25 relay), RFC 8314 (implicit TLS, 465), RFC 6409 (submission, 587).
 */
import { SealpostError } from '../errors/index.js';

export interface HopAuth {
  readonly user: string;
  readonly pass: string;
}

/**
 * Where a message goes next.
 * - `smtp`: plain SMTP relay, STARTTLS when offered (opportunistic, certificate not required).
 * - `smtps`: TLS from the first byte; optional AUTH when the URL carries credentials.
 * - `submission`: STARTTLS required before AUTH; never falls back to plaintext.
 * - `capture`: keep messages as files (the default of a fresh `sealpost init`).
 * - `mx`: direct delivery by MX lookup (parsed now, delivered by a later issue).
 */
export type NextHop =
  | { readonly kind: 'smtp'; readonly host: string; readonly port: number }
  | { readonly kind: 'smtps'; readonly host: string; readonly port: number; readonly auth?: HopAuth }
  | { readonly kind: 'submission'; readonly host: string; readonly port: number; readonly auth: HopAuth }
  | { readonly kind: 'capture' }
  | { readonly kind: 'mx' };

export type SmtpHop = Extract<NextHop, { kind: 'smtp' | 'smtps' | 'submission' }>;

const DEFAULT_PORT = { smtp: 25, smtps: 465, submission: 587 } as const;

function invalid(spec: string, reason: string): SealpostError {
  // The spec may hold a password: the message only names the scheme and the reason.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(spec)?.[1] ?? spec.slice(0, 16);
  return new SealpostError('SP_ERR_CONFIG_INVALID', `next hop "${scheme}…": ${reason}`, { stage: 'deliver' });
}

function decode(spec: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(spec, `${what} is not valid percent-encoding`);
  }
}

/** Parses a next-hop spec; throws SP_ERR_CONFIG_INVALID with the reason when it cannot be used. */
export function parseNextHop(spec: string): NextHop {
  const trimmed = spec.trim();
  if (trimmed === 'capture') return { kind: 'capture' };
  if (trimmed === 'mx') return { kind: 'mx' };
  if (trimmed === '') throw invalid(spec, 'empty value (expected smtp://, smtps://, submission://, capture or mx)');
  if (/[\s\0-\x1f\x7f]/.test(trimmed)) throw invalid(spec, 'contains whitespace or control characters');

  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed);
  const scheme = schemeMatch?.[1]?.toLowerCase();
  if (scheme !== 'smtp' && scheme !== 'smtps' && scheme !== 'submission') {
    throw invalid(spec, 'unknown scheme (expected smtp://host[:port], smtps://host[:port], submission://user:pass@host[:port], capture or mx)');
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid(spec, 'not a valid URL');
  }
  if (url.pathname !== '' && url.pathname !== '/') throw invalid(spec, 'a path is not allowed');
  if (url.search !== '' || url.hash !== '') throw invalid(spec, 'query or fragment is not allowed');

  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === '') throw invalid(spec, 'missing host');

  let port: number = DEFAULT_PORT[scheme];
  if (url.port !== '') {
    port = Number(url.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(spec, `port ${url.port} is out of range`);
  }

  const hasCredentials = url.username !== '' || url.password !== '';
  const auth = hasCredentials ? { user: decode(spec, url.username, 'user'), pass: decode(spec, url.password, 'password') } : undefined;

  switch (scheme) {
    case 'smtp':
      // Credentials on smtp:// would be sent over a session that may stay plaintext.
      if (auth) throw invalid(spec, 'credentials are not allowed on smtp:// (use submission:// or smtps://)');
      return { kind: 'smtp', host, port };
    case 'smtps':
      if (auth && (auth.user === '' || auth.pass === '')) throw invalid(spec, 'credentials need both user and password');
      return auth ? { kind: 'smtps', host, port, auth } : { kind: 'smtps', host, port };
    case 'submission':
      if (!auth || auth.user === '' || auth.pass === '') throw invalid(spec, 'submission:// needs user:password@ (URL-encoded)');
      return { kind: 'submission', host, port, auth };
  }
}

/** A printable form of the hop for logs, traces and queue records: never the password. */
export function describeHop(hop: NextHop): string {
  switch (hop.kind) {
    case 'capture':
    case 'mx':
      return hop.kind;
    default: {
      const host = hop.host.includes(':') ? `[${hop.host}]` : hop.host;
      const user = 'auth' in hop && hop.auth ? `${encodeURIComponent(hop.auth.user)}@` : '';
      return `${hop.kind}://${user}${host}:${hop.port}`;
    }
  }
}

/** True for hops the SMTP client serves. */
export function isSmtpHop(hop: NextHop): hop is SmtpHop {
  return hop.kind === 'smtp' || hop.kind === 'smtps' || hop.kind === 'submission';
}
