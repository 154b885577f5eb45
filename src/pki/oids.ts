/**
 * pki/oids — every object identifier the PKI code looks at, named once.
 * STANDARDS: RFC 5280 (extensions, names), RFC 8550 (emailProtection), RFC 3279/4055/5758/8410
 * (signature algorithms).
 */

export const OID = {
  // certificate and CRL extensions (RFC 5280 §4.2, §5.2)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  freshestCrl: '2.5.29.46',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  // extended key usages
  anyExtendedKeyUsage: '2.5.29.37.0',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  // name attributes
  emailAddress: '1.2.840.113549.1.9.1',
  commonName: '2.5.4.3',
  // public key algorithms
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecPublicKey: '1.2.840.10045.2.1',
  // signature algorithms
  sha1WithRsa: '1.2.840.113549.1.1.5',
  md5WithRsa: '1.2.840.113549.1.1.4',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  // digests (RSASSA-PSS parameters)
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

/**
 * Extensions this code understands well enough that a *critical* one does not make the
 * certificate unusable (RFC 5280 §4.2: an unrecognised critical extension MUST be rejected).
 * Policy extensions are listed because S/MIME validation here runs with any-policy semantics:
 * no policy set is required by the gateway, so the policy tree never ends up empty.
 */
export const UNDERSTOOD_CERT_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
  OID.authorityKeyIdentifier,
  OID.extKeyUsage,
  OID.freshestCrl,
  OID.authorityInfoAccess,
]);

/** CRL extensions understood (a critical unknown one makes the CRL unusable, RFC 5280 §5.2). */
export const UNDERSTOOD_CRL_EXTENSIONS: ReadonlySet<string> = new Set([OID.authorityKeyIdentifier, OID.issuerAltName, OID.crlNumber, OID.issuingDistributionPoint, OID.freshestCrl, OID.authorityInfoAccess]);

/** Key usage bits, in the order of RFC 5280 §4.2.1.3 (bit 0 = most significant bit of the first byte). */
export const KEY_USAGE = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

export type KeyUsageName = keyof typeof KEY_USAGE;
