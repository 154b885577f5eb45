/**
 * pki/decode — reads what administrators import: PEM (any number of certificates and keys, in
 * one file), DER certificates, PKCS#7 certs-only bundles (.p7b/.p7c, PEM or DER), PKCS#12
 * (.p12/.pfx, with a password) and CRLs (PEM "X509 CRL" or DER).
 *
 * The format is recognised from the bytes, not the file name. PKCS#7 certificates are taken as
 * their original DER bytes (no re-encoding, so ids match the same certificate imported as PEM).
 * PKCS#12 is read by pki/pkcs12.ts (node-forge for the bags: legacy RC2/3DES files and OpenSSL
 * 3's PBES2/AES-256 + SHA-256 MAC); keys leave it as PKCS#8 DER for node:crypto.
 * SECURITY: files are untrusted input; a malformed file is refused with a DecodeError that
 * names what failed (never the password, never key bytes).
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { Pkcs12Error, readPkcs12 } from './pkcs12.js';

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export type BundleKind = 'pem' | 'der' | 'pkcs7' | 'pkcs12';

export interface DecodedBundle {
  readonly kind: BundleKind;
  /** DER certificates in file order */
  readonly certificates: Buffer[];
  readonly keys: KeyObject[];
}

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
const PKCS7_LABELS = new Set(['PKCS7', 'PKCS #7 SIGNED DATA', 'CMS']);
const KEY_LABELS = new Set(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);

function isPem(bytes: Buffer): boolean {
  return bytes.subarray(0, 4096).toString('latin1').includes('-----BEGIN ');
}

function pemBlocks(text: string): { label: string; body: Buffer; text: string }[] {
  const out: { label: string; body: Buffer; text: string }[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    // RFC 7468 bodies are base64; legacy encrypted keys carry "Proc-Type:" headers before a blank line
    const body = m[2]!.includes(':') ? m[2]!.slice(m[2]!.search(/\r?\n\r?\n/) + 1) : m[2]!;
    out.push({ label: m[1]!, body: Buffer.from(body.replace(/\s+/g, ''), 'base64'), text: m[0] });
  }
  return out;
}

function topLevel(der: Buffer): asn1js.Sequence {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw new DecodeError('not DER: the bytes do not hold an ASN.1 SEQUENCE');
  if (parsed.offset !== der.length) throw new DecodeError('trailing bytes after the DER structure');
  return parsed.result;
}

/** The certificates of a PKCS#7/CMS SignedData (certs-only bundle), as their original DER. */
export function pkcs7Certificates(der: Buffer): Buffer[] {
  const ci = topLevel(der);
  const [oid, content] = ci.valueBlock.value;
  if (!(oid instanceof asn1js.ObjectIdentifier) || oid.valueBlock.toString() !== OID_SIGNED_DATA) throw new DecodeError('PKCS#7 content is not SignedData');
  const signedData = (content as asn1js.Constructed | undefined)?.valueBlock.value[0];
  if (!(signedData instanceof asn1js.Sequence)) throw new DecodeError('malformed PKCS#7 SignedData');
  const certSet = signedData.valueBlock.value.find((c) => c.idBlock.tagClass === 3 && c.idBlock.tagNumber === 0) as asn1js.Constructed | undefined;
  // only plain certificates (SEQUENCE); attribute/other certificate choices are tagged and skipped
  return (certSet?.valueBlock.value ?? []).filter((c) => c instanceof asn1js.Sequence).map((c) => Buffer.from(c.valueBeforeDecodeView));
}

/** PKCS#12 → certificates + keys (pki/pkcs12.ts). A wrong password is a DecodeError. */
export function pkcs12Contents(der: Buffer, password: string): { certificates: Buffer[]; keys: KeyObject[] } {
  try {
    return readPkcs12(der, password);
  } catch (err) {
    if (err instanceof Pkcs12Error) throw new DecodeError(err.message);
    throw new DecodeError(`PKCS#12 could not be read: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function pemBundle(bytes: Buffer, password: string | undefined): DecodedBundle {
  const certificates: Buffer[] = [];
  const keys: KeyObject[] = [];
  let sawPkcs7 = false;
  for (const block of pemBlocks(bytes.toString('latin1'))) {
    if (CERT_LABELS.has(block.label)) certificates.push(block.body);
    else if (PKCS7_LABELS.has(block.label)) {
      certificates.push(...pkcs7Certificates(block.body));
      sawPkcs7 = true;
    } else if (KEY_LABELS.has(block.label)) {
      const encrypted = block.label === 'ENCRYPTED PRIVATE KEY' || block.text.includes('Proc-Type: 4,ENCRYPTED');
      if (encrypted && password === undefined) throw new DecodeError('the file holds an encrypted private key: give --password');
      try {
        keys.push(createPrivateKey(encrypted ? { key: block.text, format: 'pem', passphrase: password } : { key: block.text, format: 'pem' }));
      } catch {
        throw new DecodeError(encrypted ? 'the private key could not be decrypted: wrong password?' : 'a PEM private key could not be read');
      }
    }
  }
  if (certificates.length === 0 && keys.length === 0) throw new DecodeError('no CERTIFICATE, PKCS7 or PRIVATE KEY block in the PEM file');
  return { kind: sawPkcs7 && certificates.length > 0 && keys.length === 0 ? 'pkcs7' : 'pem', certificates, keys };
}

/**
 * Reads certificates (and keys) from a file's bytes: PEM, DER certificate, PKCS#7 (PEM/DER) or
 * PKCS#12 (password required; an empty one is tried when none is given).
 */
export function decodeCertificateFile(bytes: Buffer, password?: string): DecodedBundle {
  if (isPem(bytes)) return pemBundle(bytes, password);
  const top = topLevel(bytes);
  const first = top.valueBlock.value[0];
  if (first instanceof asn1js.Sequence) return { kind: 'der', certificates: [bytes], keys: [] };
  if (first instanceof asn1js.ObjectIdentifier) return { kind: 'pkcs7', certificates: pkcs7Certificates(bytes), keys: [] };
  if (first instanceof asn1js.Integer) {
    try {
      return { kind: 'pkcs12', ...pkcs12Contents(bytes, password ?? '') };
    } catch (err) {
      if (password === undefined && err instanceof DecodeError && /wrong password/.test(err.message)) throw new DecodeError('PKCS#12 is password-protected: give --password');
      throw err;
    }
  }
  throw new DecodeError('not a certificate, PKCS#7 bundle or PKCS#12 file');
}

/** Reads one CRL: PEM labelled "X509 CRL" (RFC 7468) or DER. */
export function decodeCrlFile(bytes: Buffer): Buffer {
  if (!isPem(bytes)) return bytes;
  const block = pemBlocks(bytes.toString('latin1')).find((b) => b.label === 'X509 CRL' || b.label === 'CRL');
  if (!block) throw new DecodeError('no "X509 CRL" block in the PEM file');
  return block.body;
}
