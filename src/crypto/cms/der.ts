/**
 * A minimal DER writer, and the one place that turns untrusted bytes into an asn1js tree.
 *
 * Why hand-written output: pkijs's encoders split every OCTET STRING into 1 KB / 64 KB BER pieces
 * (copying byte by byte, slow at 1 MB), write SETs unsorted and use indefinite lengths. Signed
 * attributes must be DER (RFC 5652 §5.4: verifiers such as OpenSSL re-encode them, sorting the SET
 * OF, and a sorted re-encoding of an unsorted SET breaks the signature), so everything we emit is
 * built here as plain DER; pkijs/asn1js do the parsing of what we receive.
 * SECURITY: the writer only sees our own values; `parseDer` is the entry point for hostile bytes
 * and returns null instead of throwing.
 */
import * as asn1js from 'asn1js';

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = content.length === 1 ? content[0]! : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export const seq = (...content: Buffer[]): Buffer => tlv(0x30, ...content);

/** SET OF in DER order: elements sorted by their encodings (X.690 §11.6). */
export function setOf(...elements: Buffer[]): Buffer {
  return tlv(0x31, ...[...elements].sort(Buffer.compare));
}

export const octets = (value: Buffer): Buffer => tlv(0x04, value);
export const NULL = Buffer.from([0x05, 0x00]);

/** [n] context tag; constructed for EXPLICIT tagging or IMPLICIT over a constructed type. */
export const ctx = (n: number, constructed: boolean, ...content: Buffer[]): Buffer =>
  tlv((constructed ? 0xa0 : 0x80) | n, ...content);

export function int(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  const push = (n: number): void => {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(0x06, Buffer.from(out));
}

/** AlgorithmIdentifier with absent parameters, or with the given encoded parameters. */
export const algorithm = (dotted: string, params?: Buffer): Buffer =>
  params === undefined ? seq(oid(dotted)) : seq(oid(dotted), params);

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5652 §11.3). */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z';
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(digits.slice(2), 'latin1'));
  return tlv(0x18, Buffer.from(digits, 'latin1'));
}

/**
 * Parses exactly one BER element covering all of `bytes`. Null on any error or trailing data:
 * hostile input never throws out of here.
 */
export function parseDer(bytes: Uint8Array): asn1js.AsnType | null {
  try {
    const parsed = asn1js.fromBER(bytes);
    if (parsed.offset === -1 || parsed.offset !== bytes.byteLength) return null;
    if (parsed.result.error) return null;
    return parsed.result;
  } catch {
    return null;
  }
}

/** The bytes an element was decoded from (its full TLV). */
export function rawOf(block: asn1js.AsnType): Buffer {
  const view = (block as asn1js.BaseBlock).valueBeforeDecodeView;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * The content of an OCTET STRING, primitive or constructed (BER allows a constructed string of
 * pieces, which OpenSSL's streaming output uses). Null when it is not an OCTET STRING.
 */
export function octetStringValue(block: asn1js.AsnType | undefined): Buffer | null {
  if (!block) return null;
  const b = block as asn1js.BaseBlock;
  if (b.idBlock.isConstructed) {
    const pieces: Buffer[] = [];
    const children = (b.valueBlock as unknown as { value?: asn1js.AsnType[] }).value ?? [];
    for (const child of children) {
      const piece = octetStringValue(child);
      if (piece === null) return null;
      pieces.push(piece);
    }
    return Buffer.concat(pieces);
  }
  const view = (b.valueBlock as unknown as { valueHexView?: Uint8Array }).valueHexView;
  if (!view) return null;
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Dotted OID string of an OBJECT IDENTIFIER element, or null. */
export function oidValue(block: asn1js.AsnType | undefined): string | null {
  return block instanceof asn1js.ObjectIdentifier ? block.valueBlock.toString() : null;
}

/** Unsigned big-endian bytes of an INTEGER element (leading zero bytes removed), or null. */
export function integerBytes(block: asn1js.AsnType | undefined): Buffer | null {
  if (!(block instanceof asn1js.Integer)) return null;
  const view = block.valueBlock.valueHexView;
  let start = 0;
  while (start < view.byteLength - 1 && view[start] === 0) start++;
  return Buffer.from(view.buffer, view.byteOffset + start, view.byteLength - start);
}

/** Small non-negative INTEGER as a number, or null. */
export function smallInteger(block: asn1js.AsnType | undefined): number | null {
  const bytes = integerBytes(block);
  if (bytes === null || bytes.length > 4) return null;
  if ((block as asn1js.Integer).valueBlock.valueHexView[0]! & 0x80) return null;
  return bytes.readUIntBE(0, bytes.length);
}

/** Children of a constructed element (SEQUENCE, SET, or constructed context tag). */
export function children(block: asn1js.AsnType | undefined): asn1js.AsnType[] | null {
  if (!block) return null;
  const b = block as asn1js.BaseBlock;
  if (!b.idBlock.isConstructed) return null;
  const value = (b.valueBlock as unknown as { value?: asn1js.AsnType[] }).value;
  return Array.isArray(value) ? value : null;
}

/** Tag class and number of an element: class 1 universal, 3 context-specific. */
export function tagOf(block: asn1js.AsnType): { cls: number; num: number; constructed: boolean } {
  const id = (block as asn1js.BaseBlock).idBlock;
  return { cls: id.tagClass, num: id.tagNumber, constructed: id.isConstructed };
}
