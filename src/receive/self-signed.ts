/**
 * Throw-away TLS identity for a listener configured without a certificate.
 *
 * Opportunistic STARTTLS between MTAs does not verify the peer (RFC 7435), so a self-signed
 * certificate still buys confidentiality against passive listeners; it is never a substitute for a
 * real certificate where clients verify. SECURITY: the key lives only in memory and dies with the
 * process; P-256 keeps start-up fast.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface PemIdentity {
  readonly cert: string;
  readonly key: string;
}

const VALIDITY_DAYS = 365;

export async function createSelfSignedIdentity(hostname: string, now: number = Date.now()): Promise<PemIdentity> {
  const crypto = webcrypto;
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serial = Buffer.from(crypto.getRandomValues(new Uint8Array(16)));
  serial[0] = serial[0]! & 0x7f; // a positive INTEGER, as RFC 5280 §4.1.2.2 asks
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serial.toString('hex'),
      name: [{ CN: [hostname] }],
      // a minute of slack for peers whose clock runs a little behind ours
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + VALIDITY_DAYS * 86_400_000),
      signingAlgorithm: algorithm,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostname }]),
      ],
    },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem'), key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}
