/**
 * Every object identifier the CMS facade reads or writes, named once (RFC 5652, 5083, 5084, 8017,
 * 5753, 5758, 3565, 8551). Code elsewhere refers to these names, never to dotted strings.
 */

export const OID = {
  // content types (RFC 5652 §4-6, RFC 5083)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',

  // signed attributes (RFC 5652 §11, RFC 8551 §2.5.2)
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  smimeCapabilities: '1.2.840.113549.1.9.15',

  // digests (RFC 5754)
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',

  // public keys and signatures (RFC 8017, RFC 4055, RFC 5480, RFC 5758)
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaesOaep: '1.2.840.113549.1.1.7',
  mgf1: '1.2.840.113549.1.1.8',
  pSpecified: '1.2.840.113549.1.1.9',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha1WithRsa: '1.2.840.113549.1.1.5',
  sha224WithRsa: '1.2.840.113549.1.1.14',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha224: '1.2.840.10045.4.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  secp256r1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  secp521r1: '1.3.132.0.35',

  // ECDH key agreement schemes (RFC 5753 §7.1.4)
  stdDhSha1Kdf: '1.3.133.16.840.63.0.2',
  stdDhSha224Kdf: '1.3.132.1.11.0',
  stdDhSha256Kdf: '1.3.132.1.11.1',
  stdDhSha384Kdf: '1.3.132.1.11.2',
  stdDhSha512Kdf: '1.3.132.1.11.3',
  cofactorDhSha1Kdf: '1.3.133.16.840.63.0.3',
  cofactorDhSha224Kdf: '1.3.132.1.14.0',
  cofactorDhSha256Kdf: '1.3.132.1.14.1',
  cofactorDhSha384Kdf: '1.3.132.1.14.2',
  cofactorDhSha512Kdf: '1.3.132.1.14.3',

  // key wrap (RFC 3394, RFC 3565)
  aes128Wrap: '2.16.840.1.101.3.4.1.5',
  aes192Wrap: '2.16.840.1.101.3.4.1.25',
  aes256Wrap: '2.16.840.1.101.3.4.1.45',

  // content encryption (RFC 3565, RFC 5084, RFC 8018)
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  aes128Gcm: '2.16.840.1.101.3.4.1.6',
  aes192Gcm: '2.16.840.1.101.3.4.1.26',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  desEde3Cbc: '1.2.840.113549.3.7',
} as const;

export type DigestName = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Digest algorithm OID → node:crypto hash name. */
export const DIGEST_BY_OID: ReadonlyMap<string, DigestName> = new Map([
  [OID.sha1, 'sha1'],
  [OID.sha224, 'sha224'],
  [OID.sha256, 'sha256'],
  [OID.sha384, 'sha384'],
  [OID.sha512, 'sha512'],
]);

export const OID_BY_DIGEST: Readonly<Record<DigestName, string>> = {
  sha1: OID.sha1,
  sha224: OID.sha224,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};
