/**
 * Interop: our RSA PKCS#1 v1.5 implicit rejection against OpenSSL's, byte for byte, on fresh keys
 * (RSA-2048/3072/4096 and an odd 2051-bit modulus) and crafted ciphertexts: valid paddings, every
 * kind of malformed padding, random ciphertexts.
 *
 * The reference must be OpenSSL ≥ 3.2 (where RSA_PKCS1_PADDING decryption does implicit
 * rejection): the `openssl` CLI when it is that new, otherwise Python's `cryptography` when the
 * OpenSSL it links is. Valid paddings are also checked against the local `openssl pkeyutl`
 * whatever its version. When no ≥ 3.2 reference exists the comparison is skipped, visibly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { constants, createPublicKey, generateKeyPair, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { rsaPkcs1v15DecryptImplicit } from '../../src/crypto/rsa-implicit-rejection.js';
import { createOpensslWorkspace, opensslVersion, type OpensslWorkspace } from '../helpers/openssl.js';

interface Case {
  readonly name: string;
  readonly ciphertext: Buffer;
  /** true when the padding is well-formed (every PKCS#1 implementation must agree) */
  readonly valid: boolean;
}

interface TestKey {
  readonly bits: number;
  readonly privateKey: KeyObject;
  readonly pem: string;
  readonly cases: Case[];
}

const PYTHON_REFERENCE = `
import sys, json
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives import serialization
out = []
for item in json.load(sys.stdin):
    key = serialization.load_pem_private_key(item["key"].encode(), None)
    res = []
    for ct in item["cts"]:
        try:
            res.append(key.decrypt(bytes.fromhex(ct), padding.PKCS1v15()).hex())
        except Exception:
            res.append(None)
    out.append(res)
json.dump(out, sys.stdout)
`;

function run(cmd: string, args: readonly string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', () => resolve({ code: -1, stdout, stderr }));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

const atLeast32 = (v: { major: number; minor: number }): boolean => v.major > 3 || (v.major === 3 && v.minor >= 2);

/** Which OpenSSL ≥ 3.2 we can ask, if any. */
async function findReference(): Promise<{ kind: 'cli' | 'python'; text: string } | { kind: 'none'; text: string }> {
  const cli = await opensslVersion();
  if (atLeast32(cli)) return { kind: 'cli', text: cli.text };
  const py = await run('python3', ['-c', 'from cryptography.hazmat.backends.openssl.backend import backend; print(backend.openssl_version_text())']);
  const m = /OpenSSL (\d+)\.(\d+)/.exec(py.stdout);
  if (py.code === 0 && m && atLeast32({ major: Number(m[1]), minor: Number(m[2]) })) return { kind: 'python', text: `python3 cryptography with ${py.stdout.trim()}` };
  return { kind: 'none', text: `openssl CLI is ${cli.text}; python3 cryptography: ${py.code === 0 ? py.stdout.trim() : 'not available'}` };
}

function nonZero(n: number): Buffer {
  const b = randomBytes(n);
  for (let i = 0; i < n; i++) if (b[i] === 0) b[i] = 1 + (i % 255);
  return b;
}

function casesFor(privateKey: KeyObject): Case[] {
  const publicKey = createPublicKey(privateKey);
  const k = Math.ceil(publicKey.asymmetricKeyDetails!.modulusLength! / 8);
  const raw = (em: Buffer): Buffer => publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, em);
  const em = (...parts: Buffer[]): Buffer => {
    const b = Buffer.concat(parts);
    assert.equal(b.length, k);
    return b;
  };
  const hex = (s: string): Buffer => Buffer.from(s, 'hex');
  const cases: Case[] = [
    { name: 'valid, 16-byte key', ciphertext: publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(16)), valid: true },
    { name: 'valid, 32-byte key', ciphertext: publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, randomBytes(32)), valid: true },
    { name: 'valid, empty message', ciphertext: raw(em(hex('0002'), nonZero(k - 3), hex('00'))), valid: true },
    { name: 'valid, 8 padding bytes', ciphertext: raw(em(hex('0002'), nonZero(8), hex('00'), randomBytes(k - 11))), valid: true },
    { name: '7 padding bytes', ciphertext: raw(em(hex('0002'), nonZero(7), hex('00'), randomBytes(k - 10))), valid: false },
    { name: 'no separator', ciphertext: raw(em(hex('0002'), nonZero(k - 2))), valid: false },
    { name: 'block type 1', ciphertext: raw(em(hex('0001'), nonZero(8), hex('00'), randomBytes(k - 11))), valid: false },
    { name: 'leading byte 1', ciphertext: raw(em(hex('0102'), nonZero(8), hex('00'), randomBytes(k - 11))), valid: false },
    { name: 'separator right after the type', ciphertext: raw(em(hex('000200'), randomBytes(k - 3))), valid: false },
  ];
  for (let i = 0; i < 12; i++) cases.push({ name: `random ciphertext ${i}`, ciphertext: raw(Buffer.concat([Buffer.alloc(1), randomBytes(k - 1)])), valid: false });
  return cases;
}

describe('RSA PKCS#1 v1.5 implicit rejection against OpenSSL', () => {
  let ws: OpensslWorkspace;
  let keys: TestKey[];
  let reference: Awaited<ReturnType<typeof findReference>>;

  before(async () => {
    ws = await createOpensslWorkspace();
    reference = await findReference();
    console.log(`# implicit-rejection reference: ${reference.kind} (${reference.text})`);
    keys = await Promise.all(
      [2048, 3072, 4096, 2051].map(async (bits) => {
        const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: bits });
        return { bits, privateKey, pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), cases: casesFor(privateKey) };
      }),
    );
  });
  after(() => ws?.close());

  it('valid paddings decrypt exactly as the local openssl pkeyutl does (any version)', async () => {
    for (const key of keys) {
      const keyFile = await ws.file(`ir-${key.bits}.pem`, key.pem);
      for (const c of key.cases.filter((x) => x.valid)) {
        const expected = await ws.ok(['pkeyutl', '-decrypt', '-inkey', keyFile, '-in', await ws.file('ct.bin', c.ciphertext), '-pkeyopt', 'rsa_padding_mode:pkcs1']);
        assert.deepEqual(rsaPkcs1v15DecryptImplicit(key.privateKey, c.ciphertext), expected, `${key.bits}: ${c.name}`);
      }
    }
  });

  it('every ciphertext, malformed or not, gives the same bytes as OpenSSL ≥ 3.2', async (t) => {
    if (reference.kind === 'none') {
      t.skip(`no OpenSSL >= 3.2 on this machine (${reference.text})`);
      return;
    }
    let compared = 0;
    if (reference.kind === 'cli') {
      for (const key of keys) {
        const keyFile = await ws.file(`ir-${key.bits}.pem`, key.pem);
        for (const c of key.cases) {
          const expected = await ws.ok(['pkeyutl', '-decrypt', '-inkey', keyFile, '-in', await ws.file('ct.bin', c.ciphertext), '-pkeyopt', 'rsa_padding_mode:pkcs1']);
          assert.deepEqual(rsaPkcs1v15DecryptImplicit(key.privateKey, c.ciphertext), expected, `${key.bits}: ${c.name}`);
          compared++;
        }
      }
    } else {
      const request = keys.map((key) => ({ key: key.pem, cts: key.cases.map((c) => c.ciphertext.toString('hex')) }));
      const r = await run('python3', ['-c', PYTHON_REFERENCE], JSON.stringify(request));
      assert.equal(r.code, 0, r.stderr);
      const answers = JSON.parse(r.stdout) as (string | null)[][];
      keys.forEach((key, i) =>
        key.cases.forEach((c, j) => {
          const expected = answers[i]![j];
          assert.equal(typeof expected, 'string', `${key.bits}: ${c.name}: the reference refused (no implicit rejection?)`);
          assert.equal(rsaPkcs1v15DecryptImplicit(key.privateKey, c.ciphertext)?.toString('hex'), expected, `${key.bits}: ${c.name}`);
          compared++;
        }),
      );
    }
    assert.equal(compared, keys.reduce((n, k) => n + k.cases.length, 0));
  });

  it('malformed paddings never fail: a deterministic synthetic message, different per ciphertext', () => {
    for (const key of keys) {
      const outputs = new Set<string>();
      for (const c of key.cases.filter((x) => !x.valid)) {
        const a = rsaPkcs1v15DecryptImplicit(key.privateKey, c.ciphertext);
        assert.ok(a, `${key.bits}: ${c.name}`);
        assert.deepEqual(rsaPkcs1v15DecryptImplicit(key.privateKey, c.ciphertext), a);
        assert.ok(a.length <= Math.ceil(key.bits / 8) - 11);
        outputs.add(a.toString('hex'));
      }
      assert.equal(outputs.size, key.cases.filter((x) => !x.valid).length);
    }
  });
});
