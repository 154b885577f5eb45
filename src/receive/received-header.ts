/**
 * Our `Received:` trace header and the hop count that cuts mail loops.
 *
 * SECURITY: the HELO name and the recipient come from the client; they are reduced to characters
 * that cannot end the header, open a comment or fake a clause. STANDARDS: RFC 5321 §4.4 (trace
 * fields, Time-stamp-line), RFC 3848 (ESMTPS/ESMTPA/ESMTPSA), RFC 5322 §3.3 (date-time), §3.6.7.
 */
import net from 'node:net';
import { domainToASCII } from 'node:url';
import type { TlsInfo } from '../mail/envelope.js';

export interface ReceivedHeaderInput {
  /** HELO/EHLO argument */
  readonly helo: string;
  /** reverse-resolved name of the peer, or `[ip]` when there is none */
  readonly clientHostname: string;
  readonly remoteAddress: string;
  /** our own name */
  readonly hostname: string;
  readonly esmtp: boolean;
  readonly tls: TlsInfo | null;
  readonly authenticated: boolean;
  readonly id: string;
  readonly recipients: readonly string[];
  readonly date: number;
}

/** RFC 3848 protocol name for the `with` clause. */
export function protocolName(esmtp: boolean, tls: boolean, authenticated: boolean): string {
  return `${esmtp ? 'ESMTP' : 'SMTP'}${tls ? 'S' : ''}${authenticated ? 'A' : ''}`;
}

/** RFC 5322 date-time in UTC, e.g. `Tue, 02 Jan 2024 03:04:05 +0000`. */
export function rfc5322Date(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/** Keeps what a domain, an address literal or a bare word may hold; anything else becomes `_`. */
function token(value: string, fallback: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9.\-_:[\]]/g, '_').slice(0, 255);
  return cleaned === '' ? fallback : cleaned;
}

/** RFC 5321 address literal: `[192.0.2.1]`, `[IPv6:2001:db8::1]`. */
export function addressLiteral(ip: string): string {
  return net.isIPv6(ip) ? `[IPv6:${ip}]` : `[${token(ip, 'unknown')}]`;
}

/** ASCII form of a recipient for the `for` clause, or null when it cannot be shown safely. */
function forPath(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  const local = address.slice(0, at);
  const domain = domainToASCII(address.slice(at + 1));
  // a UTF-8 local part has no ASCII form; leaving the clause out beats a header that needs SMTPUTF8
  if (domain === '' || !/^[\x21-\x7e]+$/.test(local) || /[<>()\\]/.test(local)) return null;
  return `${local}@${domain}`;
}

/**
 * Builds the header, folded one clause per line, ending with CRLF. `for` names the recipient only
 * when there is exactly one, so a message with Bcc recipients does not list them all to each.
 */
export function buildReceivedHeader(input: ReceivedHeaderInput): string {
  const literal = addressLiteral(input.remoteAddress);
  // smtp-server reports a peer without a reverse name as `[ip]`: show the literal once, RFC 5321 style
  const named = input.clientHostname !== '' && !input.clientHostname.startsWith('[');
  const tcpInfo = named ? `${token(input.clientHostname, literal)} ${literal}` : literal;
  const lines = [
    `Received: from ${token(input.helo, literal)} (${tcpInfo})`,
    `\tby ${token(input.hostname, 'localhost')} (Sealpost) with ${protocolName(input.esmtp, input.tls !== null, input.authenticated)} id ${token(input.id, 'unknown')}`,
  ];
  if (input.tls) {
    lines.push(`\t(version=${token(input.tls.protocol, 'unknown')} cipher=${token(input.tls.cipher, 'unknown')})`);
  }
  const only = input.recipients.length === 1 ? forPath(input.recipients[0]!) : null;
  const date = rfc5322Date(input.date);
  if (only !== null) lines.push(`\tfor <${only}>; ${date}`);
  else lines[lines.length - 1] += `; ${date}`;
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * Counts `Received:` fields in the header section (up to the first empty line). Each MTA adds one,
 * so the count is the number of hops the message has made; a loop makes it grow without bound.
 */
export function countReceivedHeaders(message: Buffer): number {
  let end = message.indexOf('\r\n\r\n');
  if (message[0] === 0x0d && message[1] === 0x0a) end = 0;
  const header = message.subarray(0, end < 0 ? message.length : end).toString('latin1');
  // RFC 5322 §4.5.3 obsolete syntax allows blanks before the colon
  const matches = header.match(/(?:^|\r\n)received[ \t]*:/gi);
  return matches === null ? 0 : matches.length;
}
