/** The command-line contract (DESIGN §3) through the installed entry point, bin/sealpost.js. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sealpost } from '../helpers/cli.js';



test('init writes a valid config once, check passes, a second init refuses without --force', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const init = await sealpost(['init', '--dir', dir, '--domain', 'corp.test', '--json'], dir);
  assert.equal(init.code, 0, init.stderr);
  assert.match(JSON.parse(init.stdout).file, /sealpost\.yaml$/);
  assert.match(await readFile(join(dir, 'sealpost.yaml'), 'utf8'), /internalDomains: \[corp\.test\]/);
  const again = await sealpost(['init', '--dir', dir, '--json'], dir);
  assert.equal(again.code, 1);
  assert.equal(JSON.parse(again.stdout).error.code, 'SP_ERR_CONFIG_EXISTS');
  const check = await sealpost(['check'], dir);
  assert.equal(check.code, 0, check.stderr);
  const list = await sealpost(['queue', 'list', '--json'], dir);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(JSON.parse(list.stdout), []);
  const show = await sealpost(['queue', 'show', 'NOPE', '--json'], dir);
  assert.equal(show.code, 1);
  assert.equal(JSON.parse(show.stdout).error.code, 'SP_ERR_STORE_NOT_FOUND');
});

test('check names file, line, path, expected and found, and exits 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'bad.yaml'), 'hostname: gw\ninternalDomains: [x.test]\nrelay:\n  outbound: "ftp://nope"\n');
  const r = await sealpost(['check', '--config', 'bad.yaml'], dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.yaml:4:\d+: relay\.outbound: expected smtp:\/\/.*; found "ftp:\/\/nope"/);
  const json = await sealpost(['check', '--config', 'bad.yaml', '--json'], dir);
  assert.equal(JSON.parse(json.stdout).error.path, 'relay.outbound');
  const missing = await sealpost(['check', '--config', 'missing.yaml'], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /run `sealpost init`/);
});

test('policy explain --json prints the contract shape per recipient', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal((await sealpost(['init', '--dir', dir, '--domain', 'corp.test'], dir)).code, 0);
  await writeFile(join(dir, 'm.eml'), 'From: a@corp.test\r\nSubject: [Secure] plans\r\n\r\nx\r\n');
  const r = await sealpost(['policy', 'explain', 'm.eml', '--from', 'a@corp.test', '--to', 'b@partner.test', '--to', 'c@corp.test', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { recipients: { address: string; direction: string; action: string; method: string | null; decidedBy: { rule: string; level: string }; rules: { rule: string; level: string; matched: boolean }[]; trace: unknown[] }[] };
  const [b, c] = out.recipients;
  assert.equal(b!.address, 'b@partner.test');
  assert.equal(b!.direction, 'outbound');
  // init's default order ends in pdf and portal: a recipient without keys is still served
  assert.deepEqual([b!.action, b!.method], ['encrypt', 'pdf'], 'explain consults the same methods the gateway runs');
  assert.deepEqual(b!.decidedBy, { rule: 'secure-subject-or-header', level: 'gateway' });
  // every rule evaluated, matched or not (with score and note when there are)
  assert.deepEqual(b!.rules.map((x) => [x.rule, x.level, x.matched]), [['secure-subject-or-header', 'gateway', true]]);
  assert.ok(b!.trace.length > 0);
  assert.equal(c!.direction, 'inbound');
  assert.equal(c!.action, 'deliver');
});

test('policy explain consults the certificate store: a recipient with a trusted certificate is encrypted with smime', async (t) => {
  const { hierarchy } = await import('../helpers/pki.js');
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal((await sealpost(['init', '--dir', dir, '--domain', 'corp.test'], dir)).code, 0);
  const pki = await hierarchy();
  const bob = await pki.user('bob@partner.test', { key: 'rsa' });
  await writeFile(join(dir, 'root.pem'), pki.root.pem);
  await writeFile(join(dir, 'bob.pem'), pki.intermediate.pem + bob.pem);
  assert.equal((await sealpost(['certs', 'trust', 'root.pem'], dir)).code, 0);
  assert.equal((await sealpost(['certs', 'import', 'bob.pem'], dir)).code, 0);
  await writeFile(join(dir, 'm.eml'), 'From: a@corp.test\r\nTo: bob@partner.test\r\nSubject: [secure] plans\r\n\r\nx\r\n');
  const r = await sealpost(['policy', 'explain', 'm.eml', '--from', 'a@corp.test', '--to', 'bob@partner.test', '--to', 'eve@nocert.test', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const [bobOut, eve] = (JSON.parse(r.stdout) as { recipients: { action: string; method: string | null }[] }).recipients;
  assert.deepEqual([bobOut!.action, bobOut!.method], ['encrypt', 'smime']);
  assert.deepEqual([eve!.action, eve!.method], ['encrypt', 'pdf'], 'no certificate, no PGP key: the PDF method (dry run, no password notice sent)');
});

test('policy explain with an order the recipient cannot be served by: held, never delivered', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal((await sealpost(['init', '--dir', dir, '--domain', 'corp.test'], dir)).code, 0);
  const yaml = join(dir, 'sealpost.yaml');
  const { readFile } = await import('node:fs/promises');
  await writeFile(yaml, (await readFile(yaml, 'utf8')).replace('order: [smime, pgp, pdf, portal]', 'order: [smime, pgp]'));
  await writeFile(join(dir, 'm.eml'), 'From: a@corp.test\r\nSubject: [secure] plans\r\n\r\nx\r\n');
  const r = await sealpost(['policy', 'explain', 'm.eml', '--from', 'a@corp.test', '--to', 'b@partner.test', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  const [b] = (JSON.parse(r.stdout) as { recipients: { action: string; method: string | null }[] }).recipients;
  assert.equal(b!.action, 'hold', 'mandatory encryption with no method: held');
});
