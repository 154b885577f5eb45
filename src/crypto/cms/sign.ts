/**
 * signData: content → DER ContentInfo SignedData (RFC 5652 §5, RFC 8551 §2.5) with one signer:
 * signed attributes contentType, signingTime, messageDigest and SMIMECapabilities, RSA PKCS#1
 * v1.5 or ECDSA over SHA-256/384/512, the signer's certificate and chain included. `detached`
 * leaves the content out (for multipart/signed); otherwise it is embedded (opaque signed-data).
 * SECURITY: the private key must belong to the certificate (checked; a mismatch would send mail
 * nobody can verify). Unknown options throw. Everything is written as DER (see der.ts).
 */
import { createHash, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { describeCertificate, keyMatches } from './certificate.js';
import { NULL, algorithm, ctx, int, octets, oid, seq, setOf, time } from './der.js';
import { issuerAndSerial } from './key-transport.js';
import { OID, OID_BY_DIGEST } from './oids.js';
import { checkKeys, checkOneOf, usageError } from './strict.js';

export type SignDigest = 'sha256' | 'sha384' | 'sha512';

export interface SignInput {
  readonly content: Buffer;
  readonly signer: {
    /** DER */
    readonly certificate: Buffer;
    readonly privateKey: KeyObject;
    /** intermediate certificates (DER) to include; the root is better left out */
    readonly chain?: readonly Buffer[];
  };
  /** default 'sha256' */
  readonly digest?: SignDigest;
  readonly detached: boolean;
}

const DIGESTS: readonly SignDigest[] = ['sha256', 'sha384', 'sha512'];
const ECDSA_BY_DIGEST: Readonly<Record<SignDigest, string>> = {
  sha256: OID.ecdsaWithSha256,
  sha384: OID.ecdsaWithSha384,
  sha512: OID.ecdsaWithSha512,
};
const MIN_RSA_BITS = 2048;

const attribute = (type: string, value: Buffer): Buffer => seq(oid(type), setOf(value));

/** What we can decrypt, most preferred first (RFC 8551 §2.5.2). */
const SMIME_CAPABILITIES = seq(
  seq(oid(OID.aes256Gcm)),
  seq(oid(OID.aes128Gcm)),
  seq(oid(OID.aes256Cbc)),
  seq(oid(OID.aes128Cbc)),
);

export function signData(input: SignInput): Buffer {
  checkKeys('signData', input, ['content', 'signer', 'digest', 'detached']);
  checkKeys('signData signer', input.signer, ['certificate', 'privateKey', 'chain']);
  if (!Buffer.isBuffer(input.content)) throw usageError('signData', 'content must be a Buffer');
  if (typeof input.detached !== 'boolean') throw usageError('signData', 'detached must be true or false');
  const digest = input.digest ?? 'sha256';
  checkOneOf('signData', 'digest', digest, DIGESTS);
  const { certificate, privateKey, chain = [] } = input.signer;
  const cert = Buffer.isBuffer(certificate) ? describeCertificate(certificate) : null;
  if (!cert || !cert.keyKind) throw usageError('signData', 'signer certificate is not a usable RSA or EC certificate');
  if (cert.keyKind.type === 'rsa' && cert.keyKind.bits < MIN_RSA_BITS) throw usageError('signData', `RSA signer keys must have at least ${MIN_RSA_BITS} bits`);
  if (!keyMatches(cert, privateKey)) throw usageError('signData', 'the private key does not belong to the signer certificate');
  if (!Array.isArray(chain) || !chain.every((c) => Buffer.isBuffer(c) && describeCertificate(c))) {
    throw usageError('signData', 'chain must hold DER certificates');
  }

  const digestAlgorithm = algorithm(OID_BY_DIGEST[digest]);
  const signedAttrs = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.signingTime, time(new Date())),
    attribute(OID.messageDigest, octets(createHash(digest).update(input.content).digest())),
    attribute(OID.smimeCapabilities, SMIME_CAPABILITIES),
  ];
  // The signature covers the DER of the SET OF; the SignerInfo carries it as [0] IMPLICIT.
  const signedSet = setOf(...signedAttrs);
  const isRsa = cert.keyKind.type === 'rsa';
  const signature = cryptoSign(digest, signedSet, isRsa ? privateKey : { key: privateKey, dsaEncoding: 'der' });
  const signedAttrsImplicit = Buffer.from(signedSet);
  signedAttrsImplicit[0] = 0xa0;

  const signerInfo = seq(
    int(1),
    issuerAndSerial(cert),
    digestAlgorithm,
    signedAttrsImplicit,
    isRsa ? algorithm(OID.rsaEncryption, NULL) : algorithm(ECDSA_BY_DIGEST[digest]),
    octets(signature),
  );
  const encapContentInfo = input.detached ? seq(oid(OID.data)) : seq(oid(OID.data), ctx(0, true, octets(input.content)));
  const certificates = [certificate, ...chain.filter((c) => !c.equals(certificate))].sort(Buffer.compare);
  const signedData = seq(int(1), setOf(digestAlgorithm), encapContentInfo, ctx(0, true, ...certificates), setOf(signerInfo));
  return seq(oid(OID.signedData), ctx(0, true, signedData));
}
