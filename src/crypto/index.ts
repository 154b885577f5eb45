/**
 * crypto/ — strict facades over the cryptographic libraries (DESIGN §2, §7, §9). This folder
 * holds S/MIME: CMS encryption, decryption, signing and verification (cms/), RSA PKCS#1 v1.5
 * decryption with implicit rejection (rsa-implicit-rejection.ts), and the byte-exact MIME glue
 * for S/MIME entities (smime-mime.ts). Stages import from here, never from pkijs or asn1js.
 *
 * SECURITY: see cms/index.ts. In short: hostile input never throws out of a reader, every
 * decryption failure is the same value, unknown options throw.
 * STANDARDS: RFC 5652, 5083, 5084, 8551, 3560, 5753, 8017, 1847.
 */
export * from './cms/index.js';
export { rsaPkcs1v15DecryptImplicit, unpadPkcs1v15Implicit } from './rsa-implicit-rejection.js';
export {
  buildPkcs7MimeEntity,
  buildMultipartSigned,
  splitMultipartSigned,
  readPkcs7Mime,
  toCanonicalCrlf,
  base64Lines,
  type SmimeType,
  type MicalgDigest,
  type Pkcs7Mime,
  type SplitSigned,
} from './smime-mime.js';
