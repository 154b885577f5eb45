/**
 * `sealpost certs …` through the installed entry point (bin/sealpost.js → dist/, built by
 * `npm test` / `npm run build`), on a directory made by `sealpost init`: trust, import of
 * PKCS#12 / PKCS#7 / PEM, list with every status, CRL import and refresh from a local server,
 * and the user errors (exit 1 with a JSON error naming the file).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createPrivateKey } from 'node:crypto';
import { crlPem, hierarchy, issue, makeCrl, opensslP7b, opensslPkcs12, startCrlServer, workdir, type CrlServer } from '../helpers/pki.js';
import { sealpost, sealpostJson } from '../helpers/cli.js';

const json = sealpostJson;

let server: CrlServer;
let w: Awaited<ReturnType<typeof workdir>>;
let dir: string;
before(async () => {
  server = await startCrlServer();
  w = await workdir();
  dir = await mkdtemp(join(tmpdir(), 'sealpost-certs-cli-'));
  const init = await sealpost(['init', '--dir', dir, '--domain', 'example.test'], dir);
  assert.equal(init.code, 0, init.stderr);
});
after(async () => {
  await server.close();
  await w.close();
  await rm(dir, { recursive: true, force: true });
});

test('certs trust / import / list / crl: the operator workflow, with every list status', async () => {
  const h = await hierarchy({ crlBase: server.base, tag: 'cli' });
  const alice = await h.user('alice@example.test', { key: 'rsa' });
  const bob = await h.user('bob@example.test');
  const carol = await h.user('carol@example.test');
  const old = await h.user('old@example.test', { notBefore: new Date(Date.now() - 9 * 86_400_000), notAfter: new Date(Date.now() - 3_600_000) });
  const stranger = (await hierarchy()).root;

  await writeFile(join(dir, 'root.pem'), h.root.pem);
  const trust = await json(['certs', 'trust', 'root.pem'], dir);
  assert.equal(trust.code, 0, trust.stderr);
  assert.equal(trust.data.certificates[0].trusted, true);

  await writeFile(join(dir, 'alice.p12'), await opensslPkcs12(w, alice, [h.intermediate], 'secret pw', false));
  const wrong = await json(['certs', 'import', 'alice.p12', '--password', 'nope'], dir);
  assert.equal(wrong.code, 1);
  assert.equal(wrong.data.error.code, 'SP_ERR_CLI_USAGE');
  assert.equal(wrong.data.error.path, 'alice.p12');
  assert.match(wrong.data.error.message, /wrong password/);
  await writeFile(join(dir, 'pw.txt'), 'secret pw\n');
  const p12 = await json(['certs', 'import', 'alice.p12', '--password-file', 'pw.txt'], dir);
  assert.equal(p12.code, 0, p12.stdout + p12.stderr);
  assert.equal(p12.data.kind, 'pkcs12');
  assert.equal(p12.data.keys.length, 1);

  await writeFile(join(dir, 'bundle.p7b'), await opensslP7b(w, [bob, carol, old], true));
  const p7 = await sealpost(['certs', 'import', 'bundle.p7b'], dir);
  assert.equal(p7.code, 0, p7.stderr);
  assert.match(p7.stdout, /imported 3 certificate\(s\) from bundle\.p7b \(pkcs7\)/);
  await writeFile(join(dir, 'stranger.pem'), stranger.pem);
  assert.equal((await sealpost(['certs', 'import', 'stranger.pem'], dir)).code, 0);

  // the root's CRL is served, the intermediate's revokes carol
  server.serve('/root-cli.crl', await makeCrl(h.root));
  server.serve('/int-cli.crl', await makeCrl(h.intermediate, { revoked: [{ serial: carol.serial }] }));
  await writeFile(join(dir, 'int.crl'), crlPem(await makeCrl(h.intermediate, { thisUpdate: new Date(Date.now() - 3_600_000), revoked: [{ serial: carol.serial }] })));
  const crlFile = await json(['certs', 'crl', 'int.crl'], dir);
  assert.equal(crlFile.code, 0, crlFile.stdout);
  assert.equal(crlFile.data.stored, true);
  assert.equal(crlFile.data.revokedCount, 1);
  const refresh = await json(['certs', 'crl', '--refresh'], dir);
  assert.equal(refresh.code, 0, refresh.stdout);
  assert.deepEqual(refresh.data.failed, []);
  assert.deepEqual(refresh.data.fetched.map((f: { url: string }) => f.url).sort(), [`${server.base}/int-cli.crl`, `${server.base}/root-cli.crl`]);
  assert.ok(refresh.data.fetched.every((f: { stored: boolean }) => f.stored), 'the fetched CRLs are newer than the imported file');

  const list = await json(['certs', 'list'], dir);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(Array.isArray(list.data));
  const by = (subject: string) => list.data.find((c: { subject: string }) => c.subject === subject);
  for (const c of list.data) assert.match(c.id, /^[0-9a-f]{64}$/);
  assert.deepEqual([by('CN=alice@example.test').status, by('CN=alice@example.test').hasKey, by('CN=alice@example.test').emails], ['trusted', true, ['alice@example.test']]);
  assert.deepEqual(by('CN=alice@example.test').usages, ['encrypt', 'sign']);
  assert.equal(by('CN=bob@example.test').status, 'trusted');
  assert.deepEqual(by('CN=bob@example.test').warnings, []);
  assert.equal(by('CN=carol@example.test').status, 'revoked');
  assert.equal(by('CN=old@example.test').status, 'expired');
  assert.equal(by(stranger.name).status, 'untrusted');
  assert.equal(by(h.root.name).trustAnchor, true);
  assert.equal(by(h.intermediate.name).status, 'trusted');
  const human = await sealpost(['certs', 'list'], dir);
  assert.match(human.stdout, /revoked {7}/);

  // keys at rest: the database files never hold alice's key in the clear
  const pkcs8 = createPrivateKey(alice.keyPem).export({ format: 'der', type: 'pkcs8' });
  const db = Buffer.concat([await readFile(join(dir, 'data', 'sealpost.db')), await readFile(join(dir, 'data', 'sealpost.db-wal')).catch(() => Buffer.alloc(0))]);
  assert.equal(db.indexOf(pkcs8.subarray(26, 90)), -1);
  assert.ok((await readFile(join(dir, 'data', 'keys', 'master.key'))).length > 0);
});

test('certs: user errors exit 1 with a JSON error naming the file', async () => {
  const r1 = await json(['certs', 'import', 'missing.pem'], dir);
  assert.equal(r1.code, 1);
  assert.equal(r1.data.error.path, 'missing.pem');
  await writeFile(join(dir, 'junk.bin'), 'not a certificate');
  const r2 = await json(['certs', 'import', 'junk.bin'], dir);
  assert.equal(r2.code, 1);
  assert.match(r2.data.error.message, /junk\.bin/);
  const r3 = await json(['certs', 'crl'], dir);
  assert.equal(r3.code, 1);
  assert.equal(r3.data.error.code, 'SP_ERR_CLI_USAGE');
  const orphan = await issue({ subject: 'CN=Nobody Knows Me CA', ca: true });
  await writeFile(join(dir, 'orphan.crl'), await makeCrl(orphan));
  const r4 = await json(['certs', 'crl', 'orphan.crl'], dir);
  assert.equal(r4.code, 1);
  assert.match(r4.data.error.message, /no stored certificate is the issuer/);
  const r5 = await sealpost(['certs', 'crl', 'orphan.crl'], dir);
  assert.equal(r5.code, 1);
  assert.match(r5.stderr, /^error: .*orphan\.crl/);
});
