/**
 * pki/names — distinguished names and e-mail addresses: a canonical key per name (for chain
 * building and issuer+serial lookups), a readable form, and address normalisation.
 *
 * Name matching follows RFC 5280 §7.1 in the simplified form most validators use: attribute
 * types compared by OID, string values compared after trimming, collapsing inner whitespace and
 * case folding, whatever the ASN.1 string type (PrintableString vs UTF8String). Multi-valued RDNs
 * are compared attribute by attribute in encoded order.
 *
 * Addresses: the domain is case-insensitive (RFC 5321 §2.4); the local part is, strictly,
 * case-sensitive, but no mail system in practice distinguishes "Alice" from "alice" and
 * RFC 8550 certificates are issued for addresses as users type them. Sealpost therefore compares
 * whole addresses case-insensitively (what Outlook, Thunderbird and OpenSSL's `-checkemail` do).
 * SECURITY: inputs are parsed from untrusted certificates; nothing here evaluates them.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './oids.js';

export interface NameAttribute {
  readonly type: string;
  /** the value as text (strings), or hex of its encoding (anything else) */
  readonly value: string;
}

const SHORT: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'street',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  [OID.emailAddress]: 'E',
};

function attributeValue(value: unknown): string {
  const block = (value as { valueBlock?: { value?: unknown } }).valueBlock;
  if (block && typeof block.value === 'string') return block.value;
  if (value instanceof asn1js.BaseBlock) return Buffer.from(value.toBER(false)).toString('hex');
  return String(value);
}

export function nameAttributes(name: pkijs.RelativeDistinguishedNames): NameAttribute[] {
  return name.typesAndValues.map((tv) => ({ type: tv.type, value: attributeValue(tv.value) }));
}

/** RFC 5280 §7.1-style comparison form of one attribute value. */
export function canonicalValue(value: string): string {
  return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function canonicalAttributes(name: pkijs.RelativeDistinguishedNames): string[] {
  return nameAttributes(name).map((a) => `${a.type}=${canonicalValue(a.value)}`);
}

/**
 * The key a name is indexed by: SHA-256 (hex) of its canonical form. Two encodings of the same
 * name (PrintableString vs UTF8String, case, spacing) give the same key.
 */
export function nameKey(name: pkijs.RelativeDistinguishedNames): string {
  return createHash('sha256').update(JSON.stringify(canonicalAttributes(name))).digest('hex');
}

/** nameKey of a DER-encoded Name (e.g. the issuer of a CMS IssuerAndSerialNumber). */
export function nameKeyFromDer(der: Uint8Array): string {
  return nameKey(pkijs.RelativeDistinguishedNames.fromBER(der));
}

/** True when `inner` equals `outer` or lies below it (its attributes start with all of `outer`'s). */
export function nameWithin(inner: pkijs.RelativeDistinguishedNames, outer: pkijs.RelativeDistinguishedNames): boolean {
  const a = canonicalAttributes(inner);
  const b = canonicalAttributes(outer);
  return b.length <= a.length && b.every((v, i) => a[i] === v);
}

const escapeValue = (v: string) => v.replace(/([,+"\\<>;])/g, '\\$1');

/** "CN=Alice, O=Example" (encoded order), for people: never compared. */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  const parts = nameAttributes(name).map((a) => `${SHORT[a.type] ?? a.type}=${escapeValue(a.value)}`);
  return parts.length > 0 ? parts.join(', ') : '(empty)';
}

/** Lowercased, trimmed address; null when it is not user@domain. */
export function normalizeAddress(address: string): string | null {
  const a = address.trim().replace(/^<|>$/g, '').toLowerCase();
  const at = a.lastIndexOf('@');
  if (at <= 0 || at === a.length - 1 || /\s/.test(a)) return null;
  return a;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Serial number as lowercase hex without leading zero bytes (the form stored and compared). */
export function serialHex(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return Buffer.from(bytes.subarray(i)).toString('hex');
}
