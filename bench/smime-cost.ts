/**
 * Per-message cost of the S/MIME operations the gateway runs (issue 4): encrypt, sign, sign +
 * encrypt and decrypt of 10 KB and 1 MB MIME entities, RSA-2048 and P-256, in ms of one thread.
 * Run: npx tsx bench/smime-cost.ts [--iterations 50]. Prints a table; asserts nothing.
 */
import { createPrivateKey, webcrypto, type KeyObject } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { buildMultipartSigned, decryptEnveloped, encryptEnveloped, signData } from '../src/crypto/index.js';

const iterations = Number(process.argv[process.argv.indexOf('--iterations') + 1] || 50) || 50;

async function identity(kind: 'rsa' | 'ec'): Promise<{ certificate: Buffer; privateKey: KeyObject }> {
  const alg = kind === 'rsa' ? { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as unknown as webcrypto.CryptoKeyPair;
  const usage = kind === 'rsa' ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=bench@example.test', keys, signingAlgorithm: alg, extensions: [new x509.KeyUsagesExtension(usage, true), new x509.SubjectAlternativeNameExtension([{ type: 'email', value: 'bench@example.test' }])] });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certificate: Buffer.from(cert.rawData), privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }) };
}

function entity(size: number): Buffer {
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwxyz.\r\n';
  return Buffer.from(`Content-Type: text/plain; charset=us-ascii\r\n\r\n${line.repeat(Math.ceil(size / line.length))}`.slice(0, size));
}

function time(fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  const started = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return (performance.now() - started) / iterations;
}

const rows: string[] = [];
for (const kind of ['rsa', 'ec'] as const) {
  const id = await identity(kind);
  for (const [label, size] of [['10 KB', 10 * 1024], ['1 MB', 1024 * 1024]] as const) {
    const content = entity(size);
    const encrypted = encryptEnveloped({ content, recipients: [{ certificate: id.certificate }] });
    const results = {
      encrypt: time(() => encryptEnveloped({ content, recipients: [{ certificate: id.certificate }] })),
      sign: time(() => signData({ content, signer: id, digest: 'sha256', detached: true })),
      'sign+encrypt': time(() => encryptEnveloped({ content: buildMultipartSigned(content, signData({ content, signer: id, digest: 'sha256', detached: true }), 'sha256'), recipients: [{ certificate: id.certificate }] })),
      decrypt: time(() => {
        const r = decryptEnveloped(encrypted, [id]);
        if (!r.ok) throw new Error('decrypt failed');
      }),
    };
    rows.push(`${(kind === 'rsa' ? 'RSA-2048' : 'P-256').padEnd(9)} ${label.padEnd(6)} ${Object.values(results).map((v) => v.toFixed(2).padStart(14)).join('')}`);
  }
}
console.log(`S/MIME cost per message (ms, one thread, mean of ${iterations}; AES-256-CBC, SHA-256)`);
console.log(`${'key'.padEnd(9)} ${'size'.padEnd(6)} ${['encrypt', 'sign', 'sign+encrypt', 'decrypt'].map((h) => h.padStart(14)).join('')}`);
for (const r of rows) console.log(r);
