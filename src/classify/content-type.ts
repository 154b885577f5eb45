/** What the top-level Content-Type says about encryption and signatures (RFC 8551, RFC 3156). */
import libmime from 'libmime';
import type { MessageDraft } from '../mime/draft.js';

export type CryptoKind = 'smime' | 'pgp';

export interface CryptoFacts {
  readonly encrypted: CryptoKind | null;
  readonly signed: CryptoKind | null;
}

const PGP_INLINE = /^-----BEGIN PGP MESSAGE-----\r?$/m;
// DER of the OIDs id-envelopedData (1.2.840.113549.1.7.3) and id-ct-authEnvelopedData (1.2.840.113549.1.9.16.1.23)
const ENVELOPED_DATA = Buffer.from('06092a864886f70d010703', 'hex');
const AUTH_ENVELOPED_DATA = Buffer.from('060b2a864886f70d0109100117', 'hex');

/**
 * A label is not proof: plaintext dressed up as application/pkcs7-mime must not pass as
 * "already encrypted" (that would lift a mandatory policy). The body must start a CMS
 * ContentInfo whose content type is (auth)enveloped data.
 */
function looksLikeCmsEnvelope(body: Buffer): boolean {
  const b64 = body.subarray(0, 4096).toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '');
  const der = Buffer.from(b64.slice(0, b64.length - (b64.length % 4)), 'base64');
  if (der[0] !== 0x30) return false;
  const head = der.subarray(0, 32);
  return head.includes(ENVELOPED_DATA) || head.includes(AUTH_ENVELOPED_DATA);
}

export function detectCrypto(draft: MessageDraft): CryptoFacts {
  const header = draft.get('Content-Type') ?? 'text/plain';
  const parsed = libmime.parseHeaderValue(header);
  const type = parsed.value.toLowerCase();
  const params = Object.fromEntries(Object.entries(parsed.params).map(([k, v]) => [k.toLowerCase(), String(v).toLowerCase()]));
  if (type === 'application/pkcs7-mime' || type === 'application/x-pkcs7-mime') {
    const smimeType = params['smime-type'] ?? '';
    if (smimeType === 'signed-data') return { encrypted: null, signed: 'smime' };
    if (smimeType === 'certs-only' || smimeType === 'compressed-data') return { encrypted: null, signed: null };
    // enveloped-data, authEnveloped-data, or missing smime-type (old clients): encrypted if the body says so
    return { encrypted: looksLikeCmsEnvelope(draft.body) ? 'smime' : null, signed: null };
  }
  if (type === 'multipart/encrypted' && params.protocol === 'application/pgp-encrypted') {
    return { encrypted: PGP_INLINE.test(draft.body.subarray(0, 64 * 1024).toString('latin1')) ? 'pgp' : null, signed: null };
  }
  if (type === 'multipart/signed') {
    if (params.protocol === 'application/pkcs7-signature' || params.protocol === 'application/x-pkcs7-signature') return { encrypted: null, signed: 'smime' };
    if (params.protocol === 'application/pgp-signature') return { encrypted: null, signed: 'pgp' };
  }
  if (type === 'text/plain' && PGP_INLINE.test(draft.body.subarray(0, 64 * 1024).toString('latin1'))) return { encrypted: 'pgp', signed: null };
  return { encrypted: null, signed: null };
}
