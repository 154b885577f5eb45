/**
 * `sealpost ca …` through the installed entry point (bin/sealpost.js → dist/), on a directory
 * made by `sealpost init --domain example.test`: init → issue → OpenSSL reads the PKCS#12 and
 * verifies the certificate for S/MIME against the exported CA; our validator calls it trusted;
 * the hosted key is encrypted at rest; revoke + crl; and the user errors (exit 1).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { createPrivateKey } from 'node:crypto';
import { sealpost, sealpostJson } from '../helpers/cli.js';

const run = promisify(execFile);

const json = sealpostJson;
async function openssl(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('openssl', args, { cwd });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealpost-ca-cli-'));
  const init = await sealpost(['init', '--dir', dir, '--domain', 'example.test'], dir);
  assert.equal(init.code, 0, init.stderr);
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('ca: issue before init, bad arguments — exit 1 with a clear reason', async () => {
  const r1 = await json(['ca', 'issue', 'alice@example.test', '--out', 'x.p12', '--password', 'pw'], dir);
  assert.equal(r1.code, 1);
  assert.equal(r1.data.error.code, 'SP_ERR_CLI_USAGE');
  assert.match(r1.data.error.message, /no built-in CA: run `sealpost ca init` first/);
  const r2 = await sealpost(['ca', 'crl'], dir);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /^error: .*ca init/);
  const r3 = await json(['ca', 'init', '--validity', 'forever'], dir);
  assert.equal(r3.code, 1);
  assert.match(r3.data.error.message, /--validity "forever"/);
  const r4 = await json(['ca', 'init', '--key', 'dsa'], dir);
  assert.equal(r4.code, 1);
  await assert.rejects(stat(join(dir, 'x.p12')));
});

test('ca init / issue / export / revoke / crl: the operator workflow, checked by OpenSSL and our validator', async () => {
  const init = await json(['ca', 'init', '--subject', 'CN=Example Mail CA, O=Example Test'], dir);
  assert.equal(init.code, 0, init.stdout + init.stderr);
  assert.match(init.data.id, /^[0-9a-f]{64}$/);
  assert.equal(init.data.subject, 'CN=Example Mail CA, O=Example Test');
  assert.equal(init.data.key, 'P-256');
  const again = await json(['ca', 'init'], dir);
  assert.equal(again.code, 1);
  assert.match(again.data.error.message, /exists already.*--force/);

  await writeFile(join(dir, 'pw.txt'), 'pä ss\n');
  const alice = await json(['ca', 'issue', 'Alice@Example.test', '--out', 'alice.p12', '--password-file', 'pw.txt'], dir);
  assert.equal(alice.code, 0, alice.stdout + alice.stderr);
  assert.deepEqual([alice.data.emails, alice.data.key, alice.data.internal, alice.data.keyStored, alice.data.issuerId], [['alice@example.test'], 'RSA-3072', true, true, init.data.id]);
  assert.equal((await stat(join(dir, 'alice.p12'))).mode & 0o777, 0o600);
  const bob = await sealpost(['ca', 'issue', 'bob@elsewhere.test', '--out', 'bob.p12', '--password', 'bobpw', '--key', 'ec', '--validity', '1y'], dir);
  assert.equal(bob.code, 0, bob.stderr);
  assert.match(bob.stdout, /not an internal domain: the key is only in the PKCS#12 file/);
  const exists = await json(['ca', 'issue', 'carol@example.test', '--out', 'bob.p12', '--password', 'x'], dir);
  assert.equal(exists.code, 1);
  assert.match(exists.data.error.message, /exists already/);

  // OpenSSL reads the files (OpenSSL 3 format: PBES2/AES-256, SHA-256 MAC) and the keys match
  const info = await openssl(['pkcs12', '-info', '-nokeys', '-in', 'alice.p12', '-passin', 'pass:pä ss'], dir);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout + info.stderr, /PBES2, PBKDF2, AES-256-CBC/);
  assert.match(info.stdout + info.stderr, /MAC: sha256/);
  assert.equal((info.stdout.match(/BEGIN CERTIFICATE/g) ?? []).length, 2, 'certificate and CA');
  assert.notEqual((await openssl(['pkcs12', '-info', '-nokeys', '-in', 'alice.p12', '-passin', 'pass:wrong'], dir)).code, 0);
  for (const [name, pw] of [['alice', 'pä ss'], ['bob', 'bobpw']] as const) {
    assert.equal((await openssl(['pkcs12', '-in', `${name}.p12`, '-passin', `pass:${pw}`, '-nocerts', '-nodes', '-out', `${name}.key`], dir)).code, 0);
    assert.equal((await openssl(['pkcs12', '-in', `${name}.p12`, '-passin', `pass:${pw}`, '-clcerts', '-nokeys', '-out', `${name}.pem`], dir)).code, 0);
    const fromKey = (await openssl(['pkey', '-in', `${name}.key`, '-pubout'], dir)).stdout;
    const fromCert = (await openssl(['x509', '-in', `${name}.pem`, '-noout', '-pubkey'], dir)).stdout;
    assert.ok(fromKey.includes('BEGIN PUBLIC KEY'));
    assert.equal(fromKey, fromCert, `${name}: the key in the PKCS#12 belongs to its certificate`);
  }
  const text = (await openssl(['x509', '-in', 'alice.pem', '-noout', '-text'], dir)).stdout;
  assert.match(text, /Digital Signature, Key Encipherment/);
  assert.match(text, /E-mail Protection/);
  assert.match(text, /email:alice@example\.test/);
  assert.match(text, /Authority Key Identifier/);
  assert.match((await openssl(['x509', '-in', 'bob.pem', '-noout', '-text'], dir)).stdout, /Digital Signature, Key Agreement/);

  const exp = await sealpost(['ca', 'export', '--out', 'ca.pem'], dir);
  assert.equal(exp.code, 0, exp.stderr);
  const caText = (await openssl(['x509', '-in', 'ca.pem', '-noout', '-text'], dir)).stdout;
  assert.match(caText, /CA:TRUE/);
  assert.match(caText, /Certificate Sign, CRL Sign/);
  // OpenSSL's smimeencrypt purpose insists on keyEncipherment (RSA); bob's EC key agrees instead
  for (const [name, purposes] of [['alice', ['smimesign', 'smimeencrypt']], ['bob', ['smimesign']]] as const) {
    for (const purpose of purposes) {
      const v = await openssl(['verify', '-CAfile', 'ca.pem', '-purpose', purpose, `${name}.pem`], dir);
      assert.equal(v.code, 0, `${name} ${purpose}: ${v.stdout}${v.stderr}`);
    }
  }

  // our validator: trusted, with no warnings (ca init stored a CRL); the CA is an anchor
  const list = await json(['certs', 'list'], dir);
  const by = (email: string) => list.data.find((c: { emails: string[] }) => c.emails.includes(email));
  assert.deepEqual([by('alice@example.test').status, by('alice@example.test').hasKey, by('alice@example.test').source, by('alice@example.test').warnings], ['trusted', true, 'ca', []]);
  assert.deepEqual(by('alice@example.test').usages, ['encrypt', 'sign']);
  assert.deepEqual([by('bob@elsewhere.test').status, by('bob@elsewhere.test').hasKey], ['trusted', false]);
  const ca = list.data.find((c: { id: string }) => c.id === init.data.id);
  assert.deepEqual([ca.trustAnchor, ca.isCa, ca.hasKey, ca.source], [true, true, true, 'ca']);

  // keys at rest: alice's hosted key is not in the database in the clear (the CA key goes the same way, PrivateKeyVault.put)
  const pkcs8 = createPrivateKey(await readFile(join(dir, 'alice.key'))).export({ format: 'der', type: 'pkcs8' });
  const db = Buffer.concat([await readFile(join(dir, 'data', 'sealpost.db')), await readFile(join(dir, 'data', 'sealpost.db-wal')).catch(() => Buffer.alloc(0))]);
  // the tail of an RSA PKCS#8 is secret (CRT values); its start is the public modulus
  assert.equal(db.indexOf(pkcs8.subarray(pkcs8.length - 80)), -1);
  assert.ok(db.indexOf(pkcs8.subarray(40, 120)) >= 0, 'the probe would find key bytes: the modulus is in the stored certificate');

  // our own PKCS#12 reader takes the EC file too
  const imp = await json(['certs', 'import', 'bob.p12', '--password', 'bobpw'], dir);
  assert.equal(imp.code, 0, imp.stdout);
  assert.equal(imp.data.keys.length, 1);

  // revoke bob by address, then a CRL file OpenSSL reads and enforces
  const rev = await json(['ca', 'revoke', 'bob@elsewhere.test', '--reason', 'keyCompromise'], dir);
  assert.equal(rev.code, 0, rev.stdout);
  assert.equal(rev.data.revoked.length, 1);
  assert.equal((await json(['ca', 'revoke', 'ffff'], dir)).code, 1);
  const crl = await json(['ca', 'crl', '--out', 'ca.crl'], dir);
  assert.equal(crl.code, 0, crl.stdout);
  assert.equal(crl.data.revokedCount, 1);
  const crlText = (await openssl(['crl', '-inform', 'DER', '-in', 'ca.crl', '-noout', '-text'], dir)).stdout;
  assert.match(crlText, new RegExp(String(by('bob@elsewhere.test').serial).toUpperCase()));
  assert.match(crlText, /Key Compromise/);
  await openssl(['crl', '-inform', 'DER', '-in', 'ca.crl', '-out', 'ca-crl.pem'], dir);
  assert.notEqual((await openssl(['verify', '-crl_check', '-CRLfile', 'ca-crl.pem', '-CAfile', 'ca.pem', 'bob.pem'], dir)).code, 0);
  assert.equal((await openssl(['verify', '-crl_check', '-CRLfile', 'ca-crl.pem', '-CAfile', 'ca.pem', 'alice.pem'], dir)).code, 0);
  const after = await json(['certs', 'list'], dir);
  const status = (email: string) => after.data.find((c: { emails: string[] }) => c.emails.includes(email)).status;
  assert.equal(status('bob@elsewhere.test'), 'revoked');
  assert.equal(status('alice@example.test'), 'trusted');

  // --force: a new CA; the old one stays an anchor, so alice's certificate keeps validating
  const forced = await json(['ca', 'init', '--force', '--key', 'rsa', '--subject', 'CN=Example Mail CA 2'], dir);
  assert.equal(forced.code, 0, forced.stdout);
  assert.equal(forced.data.previous, init.data.id);
  assert.equal(forced.data.key, 'RSA-3072');
  const carol = await json(['ca', 'issue', 'carol@example.test', '--out', 'carol.p12', '--password', 'c'], dir);
  assert.equal(carol.code, 0, carol.stdout);
  assert.equal(carol.data.issuerId, forced.data.id);
  const last = await json(['certs', 'list'], dir);
  const st = (email: string) => last.data.find((c: { emails: string[] }) => c.emails.includes(email)).status;
  assert.deepEqual([st('alice@example.test'), st('carol@example.test')], ['trusted', 'trusted']);
});
