/**
 * The two envelopes as data: EnvelopedData (RFC 5652 §6) and AuthEnvelopedData (RFC 5083), read
 * into one shape for decryption and written as DER for encryption. The outer SEQUENCEs are walked
 * here (pkijs has no AuthEnvelopedData, and its EnvelopedData schema match is slow); pkijs parses
 * the RecipientInfos and the EncryptedContentInfo the two share.
 * SECURITY: hostile input; `readEnvelope` returns null for anything malformed or unsupported.
 */
import * as pkijs from 'pkijs';
import type * as asn1js from 'asn1js';
import { CIPHER_BY_OID, type CipherSpec } from './content-cipher.js';
import { children, ctx, int, octetStringValue, octets, oid, oidValue, parseDer, rawOf, seq, setOf, smallInteger, tagOf, tlv } from './der.js';
import { OID } from './oids.js';
import { readRecipients, type RecipientSlot } from './recipients.js';

export interface Envelope {
  readonly kind: 'enveloped' | 'auth-enveloped';
  readonly recipients: RecipientSlot[];
  readonly cipher: CipherSpec;
  readonly cipherParams: asn1js.AsnType | undefined;
  readonly ciphertext: Buffer;
  /** AuthEnvelopedData only */
  readonly mac: Buffer | null;
  /** AuthEnvelopedData authAttrs re-tagged as SET OF, the GCM additional data (RFC 5083 §2.2) */
  readonly aad: Buffer | null;
}

function contentInfo(der: Buffer): { type: string; content: asn1js.AsnType } | null {
  const root = parseDer(der);
  const fields = children(root ?? undefined);
  const type = oidValue(fields?.[0]);
  const wrapper = fields?.[1];
  if (!fields || fields.length !== 2 || !type || !wrapper) return null;
  const tag = tagOf(wrapper);
  const content = children(wrapper)?.[0];
  if (tag.cls !== 3 || tag.num !== 0 || !content || children(wrapper)!.length !== 1) return null;
  return { type, content };
}

function encryptedContent(eci: pkijs.EncryptedContentInfo): { cipher: CipherSpec; params: asn1js.AsnType | undefined; ciphertext: Buffer } | null {
  const cipher = CIPHER_BY_OID.get(eci.contentEncryptionAlgorithm?.algorithmId);
  const ciphertext = eci.encryptedContent ? octetStringValue(eci.encryptedContent) : null;
  if (!cipher || !ciphertext || eci.contentType !== OID.data) return null;
  return { cipher, params: eci.contentEncryptionAlgorithm.algorithmParams as asn1js.AsnType | undefined, ciphertext };
}

function recipientInfos(set: asn1js.AsnType | undefined): pkijs.RecipientInfo[] | null {
  const items = children(set);
  if (!items || tagOf(set!).num !== 17 || items.length === 0) return null;
  return items.map((item) => new pkijs.RecipientInfo({ schema: item }));
}

const isContext = (block: asn1js.AsnType | undefined, num: number): boolean =>
  block !== undefined && tagOf(block).cls === 3 && tagOf(block).num === num;

export function readEnvelope(der: Buffer): Envelope | null {
  try {
    const info = contentInfo(der);
    if (!info) return null;
    const auth = info.type === OID.authEnvelopedData;
    if (!auth && info.type !== OID.envelopedData) return null;
    // EnvelopedData ::= SEQUENCE { version, originatorInfo [0] OPTIONAL, recipientInfos,
    //   encryptedContentInfo, unprotectedAttrs [1] OPTIONAL }                    (RFC 5652 §6.1)
    // AuthEnvelopedData ::= SEQUENCE { version, originatorInfo [0] OPTIONAL, recipientInfos,
    //   authEncryptedContentInfo, authAttrs [1] OPTIONAL, mac, unauthAttrs [2] OPTIONAL } (RFC 5083)
    // Walked here rather than with pkijs.EnvelopedData, whose schema match costs ~1 ms a message
    // and which has no AuthEnvelopedData; pkijs parses the RecipientInfos and the content info.
    const fields = children(info.content);
    const version = smallInteger(fields?.[0]);
    if (!fields || version === null || version > 4) return null;
    let i = 1;
    if (isContext(fields[i], 0)) i++;
    const infos = recipientInfos(fields[i++]);
    const eciBlock = fields[i++];
    if (!infos || !eciBlock) return null;
    const content = encryptedContent(new pkijs.EncryptedContentInfo({ schema: eciBlock }));
    if (!content) return null;
    const recipients = readRecipients(infos);
    if (!auth) {
      const rest = fields.slice(i);
      if (rest.length > 1 || (rest[0] && !isContext(rest[0], 1)) || content.cipher.mode !== 'cbc') return null;
      return { kind: 'enveloped', recipients, ...content, cipherParams: content.params, mac: null, aad: null };
    }
    if (version !== 0 || content.cipher.mode !== 'gcm') return null;
    let aad: Buffer | null = null;
    if (isContext(fields[i], 1)) {
      aad = Buffer.from(rawOf(fields[i]!));
      aad[0] = 0x31; // the MAC covers the DER of the SET OF, not of the [1] IMPLICIT form
      i++;
    }
    const mac = octetStringValue(fields[i++]);
    const rest = fields.slice(i);
    if (!mac || rest.length > 1 || (rest[0] && !isContext(rest[0], 2))) return null;
    return { kind: 'auth-enveloped', recipients, ...content, cipherParams: content.params, mac, aad };
  } catch {
    return null;
  }
}

export interface EnvelopeParts {
  readonly recipientInfos: readonly Buffer[];
  /** true when any RecipientInfo is not version 0 (kari): EnvelopedData version 2 (RFC 5652 §6.1) */
  readonly nonV0Recipients: boolean;
  readonly contentAlgorithm: Buffer;
  readonly ciphertext: Buffer;
  readonly mac: Buffer | null;
}

/** DER ContentInfo wrapping EnvelopedData (mac null) or AuthEnvelopedData (mac set). */
export function writeEnvelope(parts: EnvelopeParts): Buffer {
  const eci = seq(oid(OID.data), parts.contentAlgorithm, tlv(0x80, parts.ciphertext));
  const recipients = setOf(...parts.recipientInfos);
  if (parts.mac === null) {
    const body = seq(int(parts.nonV0Recipients ? 2 : 0), recipients, eci);
    return seq(oid(OID.envelopedData), ctx(0, true, body));
  }
  const body = seq(int(0), recipients, eci, octets(parts.mac));
  return seq(oid(OID.authEnvelopedData), ctx(0, true, body));
}
