/**
 * S/MIME MIME glue (RFC 8551 §3): application/pkcs7-mime entities, multipart/signed (RFC 1847)
 * built over and split into exact bytes.
 *
 * Hand-written because a detached signature covers the first body part byte for byte (RFC 8551
 * §3.5: no re-encoding, no header folding changes, CRLF line ends), and MIME libraries decode and
 * re-encode parts; none hands out a part's raw bytes. The splitter below only locates boundary
 * delimiter lines and returns subarrays of the input.
 * SECURITY: input to the readers is untrusted; they return null for anything they cannot read,
 * never throw, and never decode the signed part. The builders refuse non-canonical entities (a
 * bare LF would be rewritten in transport and break the signature).
 * STANDARDS: RFC 8551 (S/MIME 4.0), RFC 1847 (multipart/signed), RFC 2045/2046 (MIME, base64,
 * boundaries), RFC 5751 §3.4.3.2 (micalg names).
 */
import { randomBytes } from 'node:crypto';
import { MessageDraft } from '../mime/draft.js';
import { base64Decode } from '../mime/read.js';
import { contentTypeOf, readMultipartSigned } from '../mime/signed.js';
import { usageError } from './cms/strict.js';

export type SmimeType = 'enveloped-data' | 'authEnveloped-data' | 'signed-data';
export type MicalgDigest = 'sha256' | 'sha384' | 'sha512';

const SMIME_TYPES: readonly SmimeType[] = ['enveloped-data', 'authEnveloped-data', 'signed-data'];
const MICALG: Readonly<Record<MicalgDigest, string>> = { sha256: 'sha-256', sha384: 'sha-384', sha512: 'sha-512' };
const SIGNATURE_TYPES = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature']);
const PKCS7_MIME_TYPES = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);
const CRLF = '\r\n';

/** base64 in lines of 76 characters, each ending in CRLF (RFC 2045 §6.8). */
export function base64Lines(bytes: Buffer): string {
  const b64 = bytes.toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 76) out += b64.slice(i, i + 76) + CRLF;
  return out;
}

/** Bare LF → CRLF (bare CR is left alone; the receive edge refuses it anyway). */
export function toCanonicalCrlf(bytes: Buffer): Buffer {
  if (!bytes.includes(0x0a)) return bytes;
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) {
    if (i > 0 && bytes[i - 1] === 0x0d) continue;
    out.push(bytes.subarray(start, i), Buffer.from(CRLF));
    start = i + 1;
  }
  out.push(bytes.subarray(start));
  return Buffer.concat(out);
}

function isCanonical(bytes: Buffer): boolean {
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) if (i === 0 || bytes[i - 1] !== 0x0d) return false;
  return true;
}

/** An application/pkcs7-mime entity (headers + base64 body) carrying a CMS ContentInfo. */
export function buildPkcs7MimeEntity(der: Buffer, smimeType: SmimeType): Buffer {
  if (!SMIME_TYPES.includes(smimeType)) throw usageError('buildPkcs7MimeEntity', `unknown smime-type ${JSON.stringify(smimeType)}`);
  const head =
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name=smime.p7m${CRLF}` +
    `Content-Transfer-Encoding: base64${CRLF}` +
    `Content-Disposition: attachment; filename=smime.p7m${CRLF}${CRLF}`;
  return Buffer.from(head + base64Lines(der), 'latin1');
}

/**
 * multipart/signed around `entity` (the exact bytes that were signed, canonical CRLF) and its
 * detached signature. The first part is `entity` unchanged.
 */
export function buildMultipartSigned(entity: Buffer, signature: Buffer, digest: MicalgDigest): Buffer {
  if (!(digest in MICALG)) throw usageError('buildMultipartSigned', `unknown digest ${JSON.stringify(digest)}`);
  if (!isCanonical(entity)) throw usageError('buildMultipartSigned', 'the signed entity must use CRLF line ends (see toCanonicalCrlf)');
  let boundary: string;
  do boundary = `----=_sealpost_${randomBytes(12).toString('hex')}`;
  while (entity.includes(`--${boundary}`));
  const head =
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${MICALG[digest]};${CRLF}` +
    ` boundary="${boundary}"${CRLF}${CRLF}` +
    `This is an S/MIME signed message${CRLF}${CRLF}--${boundary}${CRLF}`;
  const tail =
    `${CRLF}--${boundary}${CRLF}` +
    `Content-Type: application/pkcs7-signature; name=smime.p7s${CRLF}` +
    `Content-Transfer-Encoding: base64${CRLF}` +
    `Content-Disposition: attachment; filename=smime.p7s${CRLF}${CRLF}` +
    base64Lines(signature) +
    `${CRLF}--${boundary}--${CRLF}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), entity, Buffer.from(tail, 'latin1')]);
}



function decodeBody(draft: MessageDraft): Buffer | null {
  const cte = (draft.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  if (cte === 'base64') return base64Decode(draft.body);
  if (cte === 'binary' || cte === '7bit' || cte === '8bit') return draft.body;
  return null;
}

export interface Pkcs7Mime {
  /** the smime-type parameter, lower-cased ('enveloped-data', 'authenveloped-data', 'signed-data', …) or null */
  readonly smimeType: string | null;
  /** the decoded body: a CMS ContentInfo (not yet checked) */
  readonly der: Buffer;
}

/** Reads an application/(x-)pkcs7-mime entity; null when it is something else or unreadable. */
export function readPkcs7Mime(entity: Buffer): Pkcs7Mime | null {
  try {
    const draft = MessageDraft.parse(entity);
    const ct = contentTypeOf(draft);
    if (!ct || !PKCS7_MIME_TYPES.has(ct.type)) return null;
    const der = decodeBody(draft);
    if (!der || der.length === 0) return null;
    return { smimeType: ct.params['smime-type']?.toLowerCase() ?? null, der };
  } catch {
    return null;
  }
}

export interface SplitSigned {
  /** the first body part, exactly as received: the bytes the signature covers */
  readonly signedContent: Buffer;
  /** the second body part's content, decoded: a CMS ContentInfo (not yet checked) */
  readonly signature: Buffer;
  /** the micalg parameter, lower-cased, when present (informative only; the CMS says the truth) */
  readonly micalg: string | null;
}

/** Splits a multipart/signed entity into the exact signed bytes and the signature's DER. */
export function splitMultipartSigned(entity: Buffer): SplitSigned | null {
  const parts = readMultipartSigned(entity, SIGNATURE_TYPES);
  if (!parts) return null;
  const signature = decodeBody(parts.signaturePart);
  if (!signature || signature.length === 0) return null;
  return { signedContent: parts.signedContent, signature, micalg: parts.micalg };
}
