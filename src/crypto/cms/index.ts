/**
 * crypto/cms/ — the S/MIME cryptography facade: pure functions from bytes to bytes (DER CMS
 * ContentInfo in, DER out), no stores, no pipeline. pkijs + asn1js parse CMS and X.509
 * structures; node:crypto (OpenSSL) does every cryptographic operation; what we emit is DER
 * written by der.ts.
 *
 * - encryptEnveloped: EnvelopedData (AES-CBC, default AES-256) or AuthEnvelopedData (AES-GCM)
 *   to RSA (PKCS#1 v1.5 default, or OAEP-SHA-256) and EC (ECDH P-256/P-384) recipients.
 * - decryptEnveloped: the content, or 'not-for-us' / 'failed' and nothing more.
 * - signData / verifySignedData: SignedData, detached or opaque, RSA and ECDSA, SHA-2.
 *
 * SECURITY: every input from a message is hostile: decrypt and verify never throw and return
 * values, not errors (DESIGN §2). Decryption is oracle-free: RSA PKCS#1 v1.5 uses implicit
 * rejection (../rsa-implicit-rejection.ts) and every failure path ends in the one value
 * 'failed' after the same work. Verification is cryptographic only: trust, validity and
 * revocation of the returned signer certificate are decided in pki/. Options are strict:
 * unknown keys or values throw SealpostError(SP_ERR_INTERNAL). Private keys are KeyObjects
 * handed in by the caller and never leave node:crypto except for the one hash of d kept by
 * implicit rejection. Never decrypt anything but a message root (EFAIL): that rule is the
 * caller's (unwrap/), this facade cannot see the surrounding message.
 *
 * STANDARDS: RFC 5652 (CMS), RFC 5083 (AuthEnvelopedData), RFC 5084 (AES-GCM in CMS),
 * RFC 3565 (AES in CMS), RFC 8551 (S/MIME 4.0), RFC 3560 (RSAES-OAEP in CMS), RFC 5753 (ECC in
 * CMS), RFC 8017 (PKCS #1), RFC 3394 (AES key wrap), draft-irtf-cfrg-rsa-guidance (implicit
 * rejection).
 */
export { encryptEnveloped, canEncryptTo, type EncryptInput, type EncryptRecipient, type EncryptCipher, type KeyTransport } from './encrypt.js';
export { decryptEnveloped, type DecryptKey, type DecryptResult, type DecryptCipher } from './decrypt.js';
export { signData, type SignInput, type SignDigest } from './sign.js';
export { verifySignedData, type VerifyResult } from './verify.js';
