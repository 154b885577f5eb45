/**
 * ca/pkcs12-write — writes a PKCS#12 (.p12) file: one private key and its certificate chain, in
 * the layout and with the algorithms of OpenSSL 3's `openssl pkcs12 -export` defaults.
 *
 *   PFX v3, authSafe = data ContentInfo holding an AuthenticatedSafe of
 *     1. encryptedData: SafeContents of certBags (end entity first, then the chain), PBES2
 *     2. data: SafeContents of one pkcs8ShroudedKeyBag (EncryptedPrivateKeyInfo, PBES2)
 *   MacData: HMAC-SHA-256, key from the RFC 7292 App. B KDF (password as BMPString)
 *   PBES2 = PBKDF2-HMAC-SHA-256 (password as UTF-8, 16-byte salt, 2048 iterations) + AES-256-CBC
 *
 * Why not node-forge: forge writes only RSA keys and 3DES/RC2, and cannot hold an EC certificate.
 * Why AES-256/PBKDF2 and not 3DES: it is what OpenSSL 3 writes by default; Thunderbird (NSS
 * ≥ 3.31), Outlook/Windows 10 1709+ (certutil, the certificate import wizard), macOS Keychain and
 * iOS read it. Very old Windows (≤ 8.1/Server 2012 R2) only read 3DES files: re-export those with
 * `openssl pkcs12 -legacy`.
 * The key bag and the certificate bags carry the same localKeyId (SHA-1 of the certificate, as
 * OpenSSL does) and a friendlyName, so importers pair them.
 * SECURITY: the password is never stored or printed; the plaintext PKCS#8 buffer is zeroed.
 * STANDARDS: RFC 7292 (PKCS #12), RFC 8018 (PBES2/PBKDF2), RFC 5958 (EncryptedPrivateKeyInfo).
 */
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { pkcs12Kdf } from '../pki/pkcs12.js';

const OIDS = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  hmacWithSha256: '1.2.840.113549.2.9',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  sha256: '2.16.840.1.101.3.4.2.1',
} as const;

/** OpenSSL's PKCS12_DEFAULT_ITER; also used for the MAC. */
export const PKCS12_ITERATIONS = 2048;

export interface Pkcs12Input {
  readonly key: KeyObject;
  /** the key's certificate (DER) */
  readonly certificate: Buffer;
  /** issuer certificates (DER), nearest first */
  readonly chain: readonly Buffer[];
  readonly password: string;
  /** shown by mail clients for the key (e.g. the address) */
  readonly friendlyName: string;
  readonly iterations?: number;
}

const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
const octets = (b: Buffer) => new asn1js.OctetString({ valueHex: new Uint8Array(b) });
const der = (v: asn1js.BaseBlock) => Buffer.from(v.toBER(false));
const explicit0 = (inner: asn1js.BaseBlock) => new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [inner] });
const alg = (id: string, params?: asn1js.BaseBlock) => new asn1js.Sequence({ value: params ? [oid(id), params] : [oid(id)] });

/** PBES2 AlgorithmIdentifier + ciphertext of `plain` under PBKDF2-SHA256 / AES-256-CBC. */
function pbes2Encrypt(plain: Buffer, password: string, iterations: number): { algorithm: asn1js.Sequence; ciphertext: Buffer } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  key.fill(0);
  const kdf = alg(OIDS.pbkdf2, new asn1js.Sequence({ value: [octets(salt), new asn1js.Integer({ value: iterations }), alg(OIDS.hmacWithSha256, new asn1js.Null())] }));
  const algorithm = alg(OIDS.pbes2, new asn1js.Sequence({ value: [kdf, alg(OIDS.aes256Cbc, octets(iv))] }));
  return { algorithm, ciphertext };
}

function bagAttributes(friendlyName: string | null, localKeyId: Buffer | null): asn1js.Set {
  const attrs: asn1js.Sequence[] = [];
  if (friendlyName !== null) attrs.push(new asn1js.Sequence({ value: [oid(OIDS.friendlyName), new asn1js.Set({ value: [new asn1js.BmpString({ value: friendlyName })] })] }));
  if (localKeyId !== null) attrs.push(new asn1js.Sequence({ value: [oid(OIDS.localKeyId), new asn1js.Set({ value: [octets(localKeyId)] })] }));
  return new asn1js.Set({ value: attrs });
}

function safeBag(type: string, value: asn1js.BaseBlock, attributes: asn1js.Set): asn1js.Sequence {
  const parts: asn1js.BaseBlock[] = [oid(type), explicit0(value)];
  if (attributes.valueBlock.value.length > 0) parts.push(attributes);
  return new asn1js.Sequence({ value: parts });
}

/** The PKCS#12 file (DER). */
export function writePkcs12(input: Pkcs12Input): Buffer {
  const iterations = input.iterations ?? PKCS12_ITERATIONS;
  const localKeyId = createHash('sha1').update(input.certificate).digest();

  const certBags = [input.certificate, ...input.chain].map((cert, i) =>
    safeBag(OIDS.certBag, new asn1js.Sequence({ value: [oid(OIDS.x509Certificate), explicit0(octets(cert))] }), i === 0 ? bagAttributes(input.friendlyName, localKeyId) : bagAttributes(null, null)),
  );
  const certSafe = der(new asn1js.Sequence({ value: certBags }));
  const certEnc = pbes2Encrypt(certSafe, input.password, iterations);
  const encryptedContentInfo = new asn1js.Sequence({
    value: [oid(OIDS.data), certEnc.algorithm, new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: new Uint8Array(certEnc.ciphertext) })],
  });
  const encryptedData = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 }), encryptedContentInfo] });

  const pkcs8 = input.key.export({ format: 'der', type: 'pkcs8' });
  let keyEnc;
  try {
    keyEnc = pbes2Encrypt(pkcs8, input.password, iterations);
  } finally {
    pkcs8.fill(0);
  }
  const epki = new asn1js.Sequence({ value: [keyEnc.algorithm, octets(keyEnc.ciphertext)] });
  const keySafe = der(new asn1js.Sequence({ value: [safeBag(OIDS.pkcs8ShroudedKeyBag, epki, bagAttributes(input.friendlyName, localKeyId))] }));

  const authSafe = der(
    new asn1js.Sequence({
      value: [new asn1js.Sequence({ value: [oid(OIDS.encryptedData), explicit0(encryptedData)] }), new asn1js.Sequence({ value: [oid(OIDS.data), explicit0(octets(keySafe))] })],
    }),
  );

  const macSalt = randomBytes(16);
  const macKey = pkcs12Kdf({ name: 'sha256', u: 32, v: 64 }, input.password, macSalt, iterations, 3, 32);
  const mac = createHmac('sha256', macKey).update(authSafe).digest();
  macKey.fill(0);
  const macData = new asn1js.Sequence({
    value: [new asn1js.Sequence({ value: [alg(OIDS.sha256, new asn1js.Null()), octets(mac)] }), octets(macSalt), new asn1js.Integer({ value: iterations })],
  });
  const pfx = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 3 }), new asn1js.Sequence({ value: [oid(OIDS.data), explicit0(octets(authSafe))] }), macData] });
  return der(pfx);
}
