/**
 * Relay rules: which recipients a session may hand us, and in which direction (DESIGN §1).
 *
 * Pure decisions, no I/O, so the policy that keeps us from being an open relay is testable on its
 * own. SECURITY: addresses and domains come from the client; nothing here trusts their case,
 * their Unicode form or an IPv4-mapped IPv6 disguise.
 */
import net from 'node:net';
import { domainToASCII } from 'node:url';
import type { Direction } from '../mail/envelope.js';
import { SealpostError } from '../errors/index.js';

export type ListenerDirection = 'auto' | Direction;

/** Parsed `relayFrom` list; BlockList matches IPv4-mapped IPv6 peers against IPv4 subnets too. */
export class NetworkList {
  private readonly list = new net.BlockList();
  readonly size: number;

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) this.add(cidr);
    this.size = cidrs.length;
  }

  private add(cidr: string): void {
    const [address = '', prefixText, extra] = cidr.trim().split('/');
    const family = net.isIP(address);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max || prefixText === '') {
      throw new SealpostError('SP_ERR_CONFIG_INVALID', `not a CIDR network: ${JSON.stringify(cidr)}`, { stage: 'receive', setting: 'relayFrom' });
    }
    this.list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }

  contains(address: string): boolean {
    const family = net.isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Lower-case ASCII (punycode) form, so `Bücher.example` and `xn--bcher-kva.example` compare equal. */
export function normalizeDomain(domain: string): string {
  const trimmed = domain.trim().replace(/\.$/, '').toLowerCase();
  const ascii = domainToASCII(trimmed);
  return ascii === '' ? trimmed : ascii.toLowerCase();
}

/**
 * `internalDomains` entries: `example.com` matches exactly; `*.example.com` matches any subdomain
 * but not the apex, so an administrator has to list what they mean.
 */
export class DomainList {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];

  constructor(patterns: readonly string[]) {
    for (const pattern of patterns) {
      const wildcard = pattern.trim().startsWith('*.');
      const domain = normalizeDomain(wildcard ? pattern.trim().slice(2) : pattern);
      if (domain === '' || domain.includes('*')) {
        throw new SealpostError('SP_ERR_CONFIG_INVALID', `not a domain pattern: ${JSON.stringify(pattern)}`, { stage: 'receive', setting: 'internalDomains' });
      }
      if (wildcard) this.suffixes.push(`.${domain}`);
      else this.exact.add(domain);
    }
  }

  matches(domain: string): boolean {
    const d = normalizeDomain(domain);
    if (d === '') return false;
    return this.exact.has(d) || this.suffixes.some((suffix) => d.endsWith(suffix));
  }
}

/** Domain part of an envelope address; null for the domainless `postmaster` RFC 5321 makes us accept. */
export function recipientDomain(address: string): string | null {
  const at = address.lastIndexOf('@');
  return at < 0 ? null : address.slice(at + 1);
}

export interface RelayPolicy {
  readonly direction: ListenerDirection;
  readonly internalDomains: DomainList;
  readonly relayFrom: NetworkList;
}

export function createRelayPolicy(options: { direction: ListenerDirection; internalDomains: readonly string[]; relayFrom: readonly string[] }): RelayPolicy {
  return {
    direction: options.direction,
    internalDomains: new DomainList(options.internalDomains),
    relayFrom: new NetworkList(options.relayFrom),
  };
}

/** A relaying session is one from a trusted network or one that authenticated. */
export function sessionMayRelay(policy: RelayPolicy, remoteAddress: string, authenticated: boolean): boolean {
  return authenticated || policy.relayFrom.contains(remoteAddress);
}

export type RecipientDecision =
  | { readonly ok: true; readonly direction: Direction }
  | { readonly ok: false; readonly reason: 'relay-denied' | 'not-internal' };

/**
 * Direction of one recipient. The sender address plays no part: aliases, `<>` bounces and cloud
 * relay-back all arrive with senders we cannot vouch for, so only the session's standing counts.
 */
export function decideRecipient(policy: RelayPolicy, recipient: string, mayRelay: boolean): RecipientDecision {
  const domain = recipientDomain(recipient);
  // the domainless postmaster is ours by definition (RFC 5321 §4.5.1): pass it inwards
  const internal = domain === null || policy.internalDomains.matches(domain);
  switch (policy.direction) {
    case 'inbound':
      return internal ? { ok: true, direction: 'inbound' } : { ok: false, reason: 'not-internal' };
    case 'outbound':
      return mayRelay ? { ok: true, direction: 'outbound' } : { ok: false, reason: 'relay-denied' };
    case 'auto':
      if (internal) return { ok: true, direction: 'inbound' };
      return mayRelay ? { ok: true, direction: 'outbound' } : { ok: false, reason: 'relay-denied' };
  }
}

const LOOPBACK = new NetworkList(['127.0.0.0/8', '::1/128']);

/** Loopback listeners may offer AUTH without TLS: nobody can sniff the wire between two local processes. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || LOOPBACK.contains(h);
}
