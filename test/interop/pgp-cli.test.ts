/**
 * `sealpost pgp …` as an operator runs it (the installed entry point, bin/sealpost.js → dist/), with
 * keys made by the real gpg: import of armored and binary files with several public and secret
 * keys, list (text and JSON), generate for a user and a domain (gpg encrypts to the exported
 * public key), export, trust, delete, exit codes of DESIGN §3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { sealpost as runCli } from '../helpers/cli.js';
import { Gpg } from '../helpers/gpg.js';

/** the installed entry point (bin → dist, built by the test command), with this test's config */
const sealpost = (dir: string, ...args: string[]) => runCli([...args, '--config', join(dir, 'sealpost.yaml')], dir);

test('pgp import / list / generate / export / trust / delete with gpg-made keys', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sealpost-pgpcli-'));
  const gpg = Gpg.create();
  t.after(() => {
    gpg.close();
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'sealpost.yaml'), 'hostname: gw.example.test\ninternalDomains: [example.test]\n');
  const bob = await gpg.generate('bob@partner.test', 'curve25519');
  const carol = await gpg.generate('carol@partner.test', 'curve25519');
  const alice = await gpg.generate('alice@example.test', 'curve25519');
  // one armored file with two public keys and a secret key; one binary file
  writeFileSync(join(dir, 'keys.asc'), Buffer.concat([await gpg.exportPublic(bob), await gpg.exportPublic(carol), await gpg.exportSecret(alice)]));
  writeFileSync(join(dir, 'bob.gpg'), await gpg.exportPublic(bob, false));

  const imp = await sealpost(dir, 'pgp', 'import', join(dir, 'keys.asc'), '--json');
  assert.equal(imp.code, 0, imp.stderr);
  const data = JSON.parse(imp.stdout);
  assert.deepEqual(data.keys.map((k: { id: string; secret: boolean }) => [k.id, k.secret]).sort(), [[alice, true], [bob, false], [carol, false]].sort());
  const again = await sealpost(dir, 'pgp', 'import', join(dir, 'bob.gpg'));
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /imported 1 key\(s\)[\s\S]*\(updated\)/);

  const list = JSON.parse((await sealpost(dir, 'pgp', 'list', '--json')).stdout);
  assert.equal(list.length, 3);
  const a = list.find((k: { id: string }) => k.id === alice);
  assert.deepEqual([a.status, a.hasSecret, a.emails, a.canEncrypt], ['trusted', true, ['alice@example.test'], true]);
  assert.match((await sealpost(dir, 'pgp', 'list')).stdout, new RegExp(`${bob}  trusted  pub  bob <bob@partner.test>`));

  const gen = await sealpost(dir, 'pgp', 'generate', 'dave@example.test', '--out', join(dir, 'dave.asc'), '--json');
  assert.equal(gen.code, 0, gen.stderr);
  const dave = JSON.parse(gen.stdout).id as string;
  await gpg.import((await import('node:fs')).readFileSync(join(dir, 'dave.asc')));
  const enc = await gpg.encrypt('to dave', [dave]);
  assert.match(enc.toString(), /BEGIN PGP MESSAGE/, 'gpg encrypts to a key we generated');
  const dom = await sealpost(dir, 'pgp', 'generate', 'example.test', '--domain', '--type', 'rsa3072');
  assert.equal(dom.code, 0, dom.stderr);
  assert.match(dom.stdout, /pgp: \{ domains: \[ \{ domain: example\.test, keys: \["[0-9a-f]{40}"\] \} \] \}/);

  const exp = await sealpost(dir, 'pgp', 'export', 'bob@partner.test');
  assert.match(exp.stdout, /BEGIN PGP PUBLIC KEY BLOCK/);
  assert.doesNotMatch((await sealpost(dir, 'pgp', 'export', alice)).stdout, /PRIVATE KEY/, 'never exports secret keys');
  assert.equal((await sealpost(dir, 'pgp', 'trust', carol)).code, 0);
  const del = await sealpost(dir, 'pgp', 'delete', carol, '--json');
  assert.equal(JSON.parse(del.stdout).deleted, true);

  // user errors exit 1 with a one-line reason; JSON errors have the contract's shape
  writeFileSync(join(dir, 'junk.asc'), 'not a key');
  const bad = await sealpost(dir, 'pgp', 'import', join(dir, 'junk.asc'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: .*junk\.asc: not an OpenPGP key/);
  const missing = await sealpost(dir, 'pgp', 'delete', carol, '--json');
  assert.equal(missing.code, 1);
  assert.equal(JSON.parse(missing.stdout).error.code, 'SP_ERR_STORE_NOT_FOUND');
  assert.equal((await sealpost(dir, 'pgp', 'generate', 'not-an-address')).code, 1);
  const external = await sealpost(dir, 'pgp', 'generate', 'someone@partner.test');
  assert.equal(external.code, 1);
  assert.match(external.stderr, /partner\.test is not one of internalDomains/);

  // a passphrase-protected secret key needs --passphrase-file
  const frank = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ email: 'frank@example.test' }], passphrase: 'frank-pw', format: 'armored', config: { v6Keys: false, aeadProtect: false } });
  writeFileSync(join(dir, 'frank.asc'), frank.privateKey);
  const noPass = await sealpost(dir, 'pgp', 'import', join(dir, 'frank.asc'));
  assert.equal(noPass.code, 1);
  assert.match(noPass.stderr, /protected by a passphrase/);
  writeFileSync(join(dir, 'wrong.txt'), 'nope\n');
  assert.match((await sealpost(dir, 'pgp', 'import', join(dir, 'frank.asc'), '--passphrase-file', join(dir, 'wrong.txt'))).stderr, /wrong passphrase/);
  writeFileSync(join(dir, 'pw.txt'), 'frank-pw\n');
  const withPass = await sealpost(dir, 'pgp', 'import', join(dir, 'frank.asc'), '--passphrase-file', join(dir, 'pw.txt'), '--json');
  assert.equal(withPass.code, 0, withPass.stderr);
  assert.equal(JSON.parse(withPass.stdout).keys[0].secret, true);
});
