/**
 * pki/pkcs12 — reads .p12/.pfx files: the MAC is checked here (RFC 7292 App. B key derivation
 * over node:crypto), the bags are decrypted and decoded by node-forge.
 *
 * Why the MAC is ours: passwords are Unicode. OpenSSL (and Windows) derive the MAC key and the
 * legacy PBE keys from the password as a BMPString (UTF-16BE), but PBES2/PBKDF2 keys (OpenSSL 3's
 * default AES-256-CBC) from its UTF-8 bytes; node-forge takes one password string for both, so a
 * password like "wörd" would fail one or the other. Checking the MAC with the correct BMPString
 * and then letting forge decrypt with either form (as given, then UTF-8 bytes) reads both
 * the legacy files and the OpenSSL 3 ones whatever the password. A failed MAC = wrong password.
 * SECURITY: the file is untrusted; the MAC comparison is constant-time; the password never
 * appears in errors.
 * STANDARDS: RFC 7292 (PKCS #12 v1.1), RFC 8018 (PBES2).
 */
import { createHash, createHmac, createPrivateKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import forge from 'node-forge';

export class Pkcs12Error extends Error {
  override readonly name = 'Pkcs12Error';
}

const MAC_DIGESTS: Readonly<Record<string, { name: string; u: number; v: number }>> = {
  '1.3.14.3.2.26': { name: 'sha1', u: 20, v: 64 },
  '2.16.840.1.101.3.4.2.4': { name: 'sha224', u: 28, v: 64 },
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', u: 32, v: 64 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', u: 48, v: 128 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', u: 64, v: 128 },
};

/** RFC 7292 B.2 key derivation (ID 3 = MAC key). */
export function pkcs12Kdf(hash: { name: string; u: number; v: number }, password: string, salt: Buffer, iterations: number, id: number, n: number): Buffer {
  const { u, v } = hash;
  const pw = Buffer.alloc(password.length * 2 + 2);
  for (let i = 0; i < password.length; i++) pw.writeUInt16BE(password.charCodeAt(i), i * 2);
  const fill = (src: Buffer) => {
    const len = v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const I = Buffer.concat([salt.length ? fill(salt) : Buffer.alloc(0), fill(pw)]);
  const D = Buffer.alloc(v, id);
  const out: Buffer[] = [];
  for (let produced = 0; produced < n; produced += u) {
    let A = createHash(hash.name).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash.name).update(A).digest();
    out.push(A);
    const B = fill(A);
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}

function octets(block: asn1js.OctetString): Buffer {
  if (!block.idBlock.isConstructed) return Buffer.from(block.valueBlock.valueHexView);
  return Buffer.concat((block.valueBlock.value as asn1js.OctetString[]).map(octets));
}

/** Checks the PFX MAC when present. Returns false on a wrong password; throws Pkcs12Error when malformed. */
export function verifyPkcs12Mac(der: Buffer, password: string): boolean {
  const pfx = asn1js.fromBER(der).result;
  const [, authSafe, macData] = pfx instanceof asn1js.Sequence ? pfx.valueBlock.value : [];
  if (!(authSafe instanceof asn1js.Sequence)) throw new Pkcs12Error('not a PKCS#12 PFX');
  if (macData === undefined) return true;
  try {
    const content = (authSafe.valueBlock.value[1] as asn1js.Constructed).valueBlock.value[0] as asn1js.OctetString;
    const [digestInfo, salt, iter] = (macData as asn1js.Sequence).valueBlock.value as [asn1js.Sequence, asn1js.OctetString, asn1js.Integer | undefined];
    const [alg, digest] = digestInfo.valueBlock.value as [asn1js.Sequence, asn1js.OctetString];
    const oid = (alg.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
    const hash = MAC_DIGESTS[oid];
    if (!hash) throw new Pkcs12Error(`PKCS#12 MAC digest ${oid} is not supported`);
    const iterations = iter ? iter.valueBlock.valueDec : 1;
    if (!(iterations >= 1 && iterations <= 10_000_000)) throw new Pkcs12Error('PKCS#12 MAC iteration count out of range');
    const key = pkcs12Kdf(hash, password, Buffer.from(salt.valueBlock.valueHexView), iterations, 3, hash.u);
    const mac = createHmac(hash.name, key).update(octets(content)).digest();
    const expected = Buffer.from(digest.valueBlock.valueHexView);
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  } catch (err) {
    if (err instanceof Pkcs12Error) throw err;
    throw new Pkcs12Error('malformed PKCS#12 MAC data');
  }
}

const binary = (s: string) => Buffer.from(s, 'binary');

function decodeBags(der: Buffer, password: string): { certificates: Buffer[]; keys: KeyObject[] } {
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), false);
  // the MAC was checked by verifyPkcs12Mac with the right password encoding
  if (Array.isArray(asn1.value) && asn1.value.length > 2) asn1.value = asn1.value.slice(0, 2);
  const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  const certificates: Buffer[] = [];
  const keys: KeyObject[] = [];
  for (const safe of p12.safeContents) {
    for (const bag of safe.safeBags) {
      if (bag.type === forge.pki.oids.certBag) {
        // forge parses RSA certificates (keeping the signed TBS bytes) and passes others as ASN.1
        const cert = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
        if (cert) certificates.push(binary(forge.asn1.toDer(cert).getBytes()));
      } else if (bag.type === forge.pki.oids.pkcs8ShroudedKeyBag || bag.type === forge.pki.oids.keyBag) {
        const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key as forge.pki.rsa.PrivateKey)) : bag.asn1;
        if (info) keys.push(createPrivateKey({ key: binary(forge.asn1.toDer(info).getBytes()), format: 'der', type: 'pkcs8' }));
      }
    }
  }
  return { certificates, keys };
}

/** Certificates and private keys of a PKCS#12 file. Throws Pkcs12Error ("wrong password" included). */
export function readPkcs12(der: Buffer, password: string): { certificates: Buffer[]; keys: KeyObject[] } {
  if (!verifyPkcs12Mac(der, password)) throw new Pkcs12Error('PKCS#12: wrong password (the integrity check failed)');
  const utf8 = Buffer.from(password, 'utf8').toString('binary');
  let last: unknown;
  for (const candidate of utf8 === password ? [password] : [password, utf8]) {
    try {
      return decodeBags(der, candidate);
    } catch (err) {
      last = err;
    }
  }
  const why = last instanceof Error ? last.message : String(last);
  throw new Pkcs12Error(/password|decrypt/i.test(why) ? 'PKCS#12: wrong password (the contents do not decrypt)' : `PKCS#12 could not be read: ${why}`);
}
