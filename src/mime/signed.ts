/**
 * mime/signed — the strict reading of a multipart/signed entity (RFC 1847) shared by S/MIME
 * (RFC 8551 §3.5) and PGP/MIME (RFC 3156 §5): exactly two parts and the close delimiter; the
 * first part's bytes exactly as received (what the signature covers), the second part parsed.
 * Anything else is null: a lenient reading here would let a verdict cover bytes nobody signed.
 */
import libmime from 'libmime';
import { MessageDraft } from './draft.js';
import { splitMultipart } from './read.js';

export interface ContentType {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The Content-Type, lower-cased type and parameter names; null when absent or unparseable (strict readers refuse those). */
export function contentTypeOf(draft: MessageDraft): ContentType | null {
  const raw = draft.get('content-type');
  if (!raw) return null;
  try {
    const parsed = libmime.parseHeaderValue(raw);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.params ?? {})) if (typeof v === 'string') params[k.toLowerCase()] = v;
    return { type: String(parsed.value ?? '').trim().toLowerCase(), params };
  } catch {
    return null;
  }
}

export interface SignedParts {
  /** the first body part, exactly as received: the bytes the signature covers */
  readonly signedContent: Buffer;
  /** the second body part (the signature), parsed; its type is one of the accepted protocols */
  readonly signaturePart: MessageDraft;
  /** the micalg parameter, lower-cased, when present (informative only) */
  readonly micalg: string | null;
}

/** A multipart/signed entity whose protocol (and signature part type) is one of `protocols`; null otherwise. */
export function readMultipartSigned(entity: Buffer, protocols: ReadonlySet<string>): SignedParts | null {
  try {
    const draft = MessageDraft.parse(entity);
    const ct = contentTypeOf(draft);
    const boundary = ct?.params['boundary'];
    if (!ct || ct.type !== 'multipart/signed' || !boundary || boundary.length > 200) return null;
    if (!protocols.has((ct.params['protocol'] ?? '').toLowerCase())) return null;
    const { parts, truncated, closed } = splitMultipart(draft.body, boundary, 2);
    if (!closed || truncated || parts.length !== 2) return null;
    const signaturePart = MessageDraft.parse(parts[1]!);
    const type = contentTypeOf(signaturePart)?.type;
    if (!type || !protocols.has(type)) return null;
    return { signedContent: parts[0]!, signaturePart, micalg: ct.params['micalg']?.toLowerCase() ?? null };
  } catch {
    return null;
  }
}
