/**
 * Per-message cost of the OpenPGP operations the gateway runs (issue 5): encrypt, sign+encrypt
 * (RFC 3156 §6.2 combined) and decrypt of 10 KB and 1 MB MIME entities, PGP/MIME-wrapped, with
 * RSA-3072 and Curve25519 (legacy) keys, in ms of one thread (openpgp 6 through our facade).
 * Run: npx tsx bench/pgp-cost.ts [--iterations 20]. Prints a table; asserts nothing.
 */
import { buildPgpMimeEncrypted, decryptMessage, encryptMessage, generateKeyPair, splitPgpMimeEncrypted } from '../src/crypto/pgp/index.js';

const iterations = Number(process.argv[process.argv.indexOf('--iterations') + 1] || 20) || 20;

function entity(size: number): Buffer {
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwxyz.\r\n';
  return Buffer.from(`Content-Type: text/plain; charset=us-ascii\r\n\r\n${line.repeat(Math.ceil(size / line.length))}`.slice(0, size));
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 2; i++) await fn(); // warm-up
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await fn();
  return (performance.now() - started) / iterations;
}

const rows: string[] = [];
for (const type of ['rsa3072', 'curve25519'] as const) {
  const id = await generateKeyPair({ email: 'bench@example.test', type });
  for (const [label, size] of [['10 KB', 10 * 1024], ['1 MB', 1024 * 1024]] as const) {
    const content = entity(size);
    const encrypted = (await encryptMessage({ content, encryptionKeys: [id.publicKey] })).armored;
    const results = {
      encrypt: await time(async () => buildPgpMimeEncrypted((await encryptMessage({ content, encryptionKeys: [id.publicKey] })).armored)),
      'sign+encrypt': await time(async () => buildPgpMimeEncrypted((await encryptMessage({ content, encryptionKeys: [id.publicKey], signingKey: id.privateKey })).armored)),
      decrypt: await time(async () => {
        const r = await decryptMessage({ message: splitPgpMimeEncrypted(buildPgpMimeEncrypted(encrypted))!, decryptionKeys: [id.privateKey] });
        if (!r.ok) throw new Error('decrypt failed');
      }),
    };
    rows.push(`${(type === 'rsa3072' ? 'RSA-3072' : 'Curve25519').padEnd(10)} ${label.padEnd(6)} ${Object.values(results).map((v) => v.toFixed(2).padStart(14)).join('')}`);
  }
}
console.log(`OpenPGP cost per message (ms, one thread, mean of ${iterations}; SEIPD v1 + MDC, AES-256, PGP/MIME armored)`);
console.log(`${'key'.padEnd(10)} ${'size'.padEnd(6)} ${['encrypt', 'sign+encrypt', 'decrypt'].map((h) => h.padStart(14)).join('')}`);
for (const r of rows) console.log(r);
