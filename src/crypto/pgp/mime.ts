/**
 * crypto/pgp/mime — PGP/MIME entities (RFC 3156) built and split over exact bytes, and PGP/INLINE
 * bodies recognised.
 *
 * Byte-exact for the same reason as smime-mime.ts: a detached signature covers the first body
 * part of multipart/signed exactly as sent (RFC 3156 §5), so the splitter returns subarrays of
 * the input and never decodes or re-folds the signed part.
 * SECURITY: readers take untrusted input, return null for anything they do not recognise and
 * never throw. PGP/INLINE is recognised only when the armored block is the whole body (EFAIL:
 * nothing decrypted is ever spliced into surrounding plaintext).
 * STANDARDS: RFC 3156 §4 (multipart/encrypted), §5 (multipart/signed, micalg), RFC 1847,
 * RFC 2046 §5.1.1 (boundaries), RFC 4880 §6.2 and §7 (armor, cleartext signatures).
 */
import { randomBytes } from 'node:crypto';
import { MessageDraft } from '../../mime/draft.js';
import { base64Decode, qpDecode, splitMultipart } from '../../mime/read.js';
import { contentTypeOf, readMultipartSigned } from '../../mime/signed.js';

const CRLF = '\r\n';

function newBoundary(avoid: Buffer): string {
  let b: string;
  do b = `----=_sealpost_pgp_${randomBytes(12).toString('hex')}`;
  while (avoid.includes(b));
  return b;
}

/** CRLF line ends throughout (armored text from openpgp uses LF). */
export function crlf(text: string): string {
  return text.replace(/\r?\n/g, CRLF);
}

/** multipart/encrypted around an armored OpenPGP message (RFC 3156 §4). */
export function buildPgpMimeEncrypted(armored: string): Buffer {
  const body = Buffer.from(crlf(armored.endsWith('\n') ? armored : `${armored}\n`), 'latin1');
  const boundary = newBoundary(body);
  const head =
    `Content-Type: multipart/encrypted; protocol="application/pgp-encrypted";${CRLF} boundary="${boundary}"${CRLF}${CRLF}` +
    `This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)${CRLF}` +
    `--${boundary}${CRLF}Content-Type: application/pgp-encrypted${CRLF}Content-Description: PGP/MIME version identification${CRLF}${CRLF}Version: 1${CRLF}${CRLF}` +
    `--${boundary}${CRLF}Content-Type: application/octet-stream; name="encrypted.asc"${CRLF}Content-Description: OpenPGP encrypted message${CRLF}Content-Disposition: inline; filename="encrypted.asc"${CRLF}${CRLF}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body, Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1')]);
}

/** multipart/signed over `entity` (exactly the signed bytes) and its armored detached signature (RFC 3156 §5). */
export function buildPgpMimeSigned(entity: Buffer, armoredSignature: string, micalg = 'pgp-sha256'): Buffer {
  const boundary = newBoundary(entity);
  const head = `Content-Type: multipart/signed; micalg=${micalg}; protocol="application/pgp-signature";${CRLF} boundary="${boundary}"${CRLF}${CRLF}This is an OpenPGP/MIME signed message (RFC 4880 and 3156)${CRLF}--${boundary}${CRLF}`;
  const tail =
    `${CRLF}--${boundary}${CRLF}Content-Type: application/pgp-signature; name="signature.asc"${CRLF}Content-Description: OpenPGP digital signature${CRLF}Content-Disposition: attachment; filename="signature.asc"${CRLF}${CRLF}` +
    crlf(armoredSignature.endsWith('\n') ? armoredSignature : `${armoredSignature}\n`) +
    `${CRLF}--${boundary}--${CRLF}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), entity, Buffer.from(tail, 'latin1')]);
}

/** The strict Content-Type reader (mime/signed.ts), for callers of this module. */
export { contentTypeOf } from '../../mime/signed.js';

/** A part's body decoded by its Content-Transfer-Encoding; null for an unknown encoding. */
export function decodePartBody(draft: MessageDraft): Buffer | null {
  const cte = (draft.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  if (cte === 'base64') return base64Decode(draft.body);
  if (cte === 'quoted-printable') return qpDecode(draft.body);
  if (cte === 'binary' || cte === '7bit' || cte === '8bit') return draft.body;
  return null;
}

/** The body parts of a multipart entity as exact subarrays; null unless exactly well delimited (closed, within maxParts). */
function splitParts(draft: MessageDraft, boundaryText: string | undefined, maxParts: number): Buffer[] | null {
  if (!boundaryText || boundaryText.length > 200) return null;
  const { parts, truncated, closed } = splitMultipart(draft.body, boundaryText, maxParts);
  return closed && !truncated && parts.length > 0 ? parts : null;
}

/** The armored OpenPGP message of a PGP/MIME multipart/encrypted entity; null when it is not one. */
export function splitPgpMimeEncrypted(entity: Buffer): Buffer | null {
  try {
    const draft = MessageDraft.parse(entity);
    const ct = contentTypeOf(draft);
    if (!ct || ct.type !== 'multipart/encrypted' || (ct.params['protocol'] ?? '').toLowerCase() !== 'application/pgp-encrypted') return null;
    const parts = splitParts(draft, ct.params['boundary'], 2);
    if (!parts || parts.length !== 2) return null;
    const control = MessageDraft.parse(parts[0]!);
    if (contentTypeOf(control)?.type !== 'application/pgp-encrypted' || !/^\s*Version:\s*1\s*$/im.test(control.body.toString('latin1'))) return null;
    const data = MessageDraft.parse(parts[1]!);
    if (contentTypeOf(data)?.type !== 'application/octet-stream') return null;
    return decodePartBody(data);
  } catch {
    return null;
  }
}

export interface PgpSplitSigned {
  /** the first body part, exactly as received */
  readonly signedContent: Buffer;
  /** the signature part's content (armored, decoded from its transfer encoding) */
  readonly signature: Buffer;
  readonly micalg: string | null;
}

const PGP_SIGNATURE: ReadonlySet<string> = new Set(['application/pgp-signature']);

/** Splits a PGP/MIME multipart/signed entity (RFC 3156 §5); null when it is not one. */
export function splitPgpMimeSigned(entity: Buffer): PgpSplitSigned | null {
  const parts = readMultipartSigned(entity, PGP_SIGNATURE);
  if (!parts) return null;
  const signature = decodePartBody(parts.signaturePart);
  if (!signature || signature.length === 0) return null;
  return { signedContent: parts.signedContent, signature, micalg: parts.micalg };
}

export type InlineKind = 'encrypted' | 'signed';

export interface InlineBody {
  readonly kind: InlineKind;
  /** the decoded body text (the armored block and only whitespace around it) */
  readonly text: string;
  readonly charset: string;
}

/**
 * A text/plain (or typeless) entity whose decoded body is one armored PGP MESSAGE or one
 * cleartext-signed block and nothing else (whitespace aside); null otherwise.
 */
export function readPgpInline(entity: Buffer): InlineBody | null {
  try {
    const draft = MessageDraft.parse(entity);
    const ct = contentTypeOf(draft) ?? { type: 'text/plain', params: {} };
    if (ct.type !== 'text/plain') return null;
    const body = decodePartBody(draft);
    if (!body) return null;
    const text = body.toString('latin1').trim();
    const charset = (ct.params['charset'] ?? 'us-ascii').toLowerCase();
    if (/^-----BEGIN PGP MESSAGE-----\r?\n[\s\S]*\n-----END PGP MESSAGE-----$/.test(text) && text.indexOf('-----BEGIN PGP MESSAGE-----', 1) === -1) return { kind: 'encrypted', text, charset };
    if (/^-----BEGIN PGP SIGNED MESSAGE-----\r?\n[\s\S]*\n-----END PGP SIGNATURE-----$/.test(text) && text.indexOf('-----BEGIN PGP SIGNED MESSAGE-----', 1) === -1) return { kind: 'signed', text: body.toString(charset === 'utf-8' || charset === 'utf8' ? 'utf8' : 'latin1').trim(), charset };
    return null;
  } catch {
    return null;
  }
}
