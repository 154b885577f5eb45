/** What the top-level Content-Type says about encryption and signatures (RFC 8551, RFC 3156). */
import libmime from 'libmime';
import type { MessageDraft } from '../mime/draft.js';

export type CryptoKind = 'smime' | 'pgp';

export interface CryptoFacts {
  readonly encrypted: CryptoKind | null;
  readonly signed: CryptoKind | null;
}

const PGP_INLINE = /^-----BEGIN PGP MESSAGE-----\r?$/m;

export function detectCrypto(draft: MessageDraft): CryptoFacts {
  const header = draft.get('Content-Type') ?? 'text/plain';
  const parsed = libmime.parseHeaderValue(header);
  const type = parsed.value.toLowerCase();
  const params = Object.fromEntries(Object.entries(parsed.params).map(([k, v]) => [k.toLowerCase(), String(v).toLowerCase()]));
  if (type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime') {
    const smimeType = params['smime-type'] ?? '';
    if (smimeType === 'signed-data') return { encrypted: null, signed: 'smime' };
    if (smimeType === 'certs-only' || smimeType === 'compressed-data') return { encrypted: null, signed: null };
    // enveloped-data, authEnveloped-data, or missing smime-type (old clients): treat as encrypted
    return { encrypted: 'smime', signed: null };
  }
  if (type === 'multipart/encrypted' && params.protocol === 'application/pgp-encrypted') return { encrypted: 'pgp', signed: null };
  if (type === 'multipart/signed') {
    if (params.protocol === 'application/pkcs7-signature' || params.protocol === 'application/x-pkcs7-signature') return { encrypted: null, signed: 'smime' };
    if (params.protocol === 'application/pgp-signature') return { encrypted: null, signed: 'pgp' };
  }
  if (type === 'text/plain' && PGP_INLINE.test(draft.body.subarray(0, 64 * 1024).toString('latin1'))) return { encrypted: 'pgp', signed: null };
  return { encrypted: null, signed: null };
}
