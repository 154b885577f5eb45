/**
 * Contract suite for the PKI stores (certificates, trust anchors, CRLs, wrapped keys), engine-
 * neutral: pki-sqlite.test.ts and pki-postgres.test.ts run it with a fresh database per test.
 * The certificates are synthetic rows (the stores index what pki/ computed; parsing has its own
 * tests), so the suite checks exactly the store promises.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { NewCertificate, NewCrl } from '../../src/pki/types.js';
import { storesWithClock, type MakeStores } from './engines.js';
import { T0 } from './store-fixtures.js';

export type MakePkiStores = MakeStores;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export function cert(name: string, over: Partial<NewCertificate> = {}): NewCertificate {
  return {
    id: sha(`cert:${name}`),
    der: Buffer.from(`DER of ${name}`),
    subject: `CN=${name}`,
    issuer: 'CN=Test CA',
    subjectKey: sha(`name:${name}`),
    issuerKey: sha('name:Test CA'),
    serial: sha(name).slice(0, 8),
    subjectKeyId: sha(`ski:${name}`).slice(0, 40),
    authorityKeyId: sha('ski:Test CA').slice(0, 40),
    notBefore: T0,
    notAfter: T0 + 365 * 86_400_000,
    isCa: false,
    emails: [`${name}@example.test`],
    crlUrls: ['http://crl.example.test/ca.crl'],
    source: 'import',
    ...over,
  };
}

function crl(issuerKey: string, thisUpdate: number, over: Partial<NewCrl> = {}): NewCrl {
  return { id: sha(`crl:${issuerKey}:${thisUpdate}:${over.scope ?? ''}`), der: Buffer.from(`CRL ${thisUpdate}`), issuerKey, scope: '', issuerCertificateId: sha('cert:ca'), thisUpdate, nextUpdate: thisUpdate + 86_400_000, number: thisUpdate.toString(16), sourceUrl: null, ...over };
}

export function runPkiStoreContract(name: string, make: MakePkiStores): void {
  const withStores = storesWithClock(make);

  describe(`PKI store contract: ${name}`, () => {
    test('certificates: add is idempotent per id; every index finds the row; bytes and times come back as they went in', () =>
      withStores(async ({ pki }) => {
        const a = cert('alice', { emails: ['alice@example.test', 'a.smith@example.test'] });
        const first = await pki.certificates.add(a);
        assert.equal(first.created, true);
        assert.deepEqual({ ...first.record, der: first.record.der.toString() }, { ...a, der: a.der.toString(), emails: [...a.emails], crlUrls: [...a.crlUrls], hasPrivateKey: false, addedAt: T0 });
        assert.ok(Buffer.isBuffer(first.record.der));
        assert.equal(typeof first.record.notAfter, 'number');
        const again = await pki.certificates.add({ ...a, source: 'learnt' });
        assert.equal(again.created, false);
        assert.equal(again.record.source, 'import', 'the first source is kept');
        assert.deepEqual((await pki.certificates.byEmail('A.Smith@Example.TEST')).map((r) => r.id), [a.id]);
        assert.deepEqual((await pki.certificates.bySubject(a.subjectKey)).map((r) => r.id), [a.id]);
        assert.deepEqual((await pki.certificates.byIssuerSerial(a.issuerKey, a.serial.toUpperCase())).map((r) => r.id), [a.id]);
        assert.deepEqual((await pki.certificates.bySubjectKeyId(a.subjectKeyId!.toUpperCase())).map((r) => r.id), [a.id]);
        assert.deepEqual(await pki.certificates.byEmail('nobody@example.test'), []);
        assert.equal(await pki.certificates.get('0'.repeat(64)), null);
      }));

    test('certificates: several per address, newest first; list, CRL URLs, remove cascades to address, anchor and key', () =>
      withStores(async ({ pki }) => {
        const old = cert('bob-2023', { emails: ['bob@example.test'], notBefore: T0 - 1000, crlUrls: ['http://a/1.crl', 'http://b/2.crl'] });
        const renewed = cert('bob-2024', { emails: ['bob@example.test'], notBefore: T0 + 1000, crlUrls: ['http://a/1.crl'] });
        const ca = cert('ca', { isCa: true, emails: [], crlUrls: [] });
        for (const c of [old, renewed, ca]) await pki.certificates.add(c);
        assert.deepEqual((await pki.certificates.byEmail('bob@example.test')).map((r) => r.id), [renewed.id, old.id]);
        assert.equal((await pki.certificates.list()).length, 3);
        assert.equal((await pki.certificates.list(1)).length, 1);
        assert.deepEqual(await pki.certificates.crlUrls(), ['http://a/1.crl', 'http://b/2.crl']);
        assert.equal((await pki.certificates.get(ca.id))?.isCa, true);

        await pki.roots.add(old.id);
        await pki.privateKeys.put(old.id, Buffer.from('wrapped'), 'kek1');
        assert.equal((await pki.certificates.get(old.id))?.hasPrivateKey, true);
        assert.equal(await pki.certificates.remove(old.id), true);
        assert.equal(await pki.certificates.remove(old.id), false);
        assert.deepEqual((await pki.certificates.byEmail('bob@example.test')).map((r) => r.id), [renewed.id]);
        assert.equal(await pki.roots.has(old.id), false);
        assert.equal(await pki.privateKeys.get(old.id), null);
      }));

    test('trust anchors: add once, has, ids, remove; only stored certificates can be anchors', () =>
      withStores(async ({ pki }) => {
        const root = cert('root', { isCa: true });
        await pki.certificates.add(root);
        assert.equal(await pki.roots.add(root.id), true);
        assert.equal(await pki.roots.add(root.id), false);
        assert.equal(await pki.roots.has(root.id), true);
        assert.deepEqual([...(await pki.roots.ids())], [root.id]);
        await assert.rejects(pki.roots.add('f'.repeat(64)), { code: 'SP_ERR_STORE_WRITE_FAILED' });
        assert.equal(await pki.roots.remove(root.id), true);
        assert.equal(await pki.roots.has(root.id), false);
        assert.ok(await pki.certificates.get(root.id), 'un-trusting keeps the certificate');
      }));

    test('CRLs: the newest per issuer and scope is kept, whatever order they arrive in', () =>
      withStores(async ({ pki }, clock) => {
        const issuer = sha('name:Test CA');
        assert.equal(await pki.crls.put(crl(issuer, T0 + 2000)), true);
        clock.now += 10;
        assert.equal(await pki.crls.put(crl(issuer, T0 + 1000)), false, 'an older CRL never replaces a newer one');
        assert.equal(await pki.crls.put(crl(issuer, T0 + 2000)), false, 'the same CRL again changes nothing');
        assert.equal(await pki.crls.put(crl(issuer, T0 + 3000, { sourceUrl: 'http://crl/x', nextUpdate: null })), true);
        assert.equal(await pki.crls.put(crl(issuer, T0 + 500, { scope: 'http://crl/part1' })), true, 'another partition is stored beside it');
        const rows = await pki.crls.forIssuer(issuer);
        assert.deepEqual(rows.map((r) => [r.scope, r.thisUpdate]), [['', T0 + 3000], ['http://crl/part1', T0 + 500]]);
        assert.equal(rows[0]!.der.toString(), `CRL ${T0 + 3000}`);
        assert.equal(rows[0]!.nextUpdate, null);
        assert.equal(rows[0]!.sourceUrl, 'http://crl/x');
        assert.equal(rows[0]!.storedAt, T0 + 10);
        assert.equal((await pki.crls.list()).length, 2);
        assert.deepEqual(await pki.crls.forIssuer(sha('other')), []);
      }));

    test('CRLs: concurrent puts from several callers leave the newest', () =>
      withStores(async ({ pki }) => {
        const issuer = sha('name:Busy CA');
        const times = Array.from({ length: 20 }, (_, i) => T0 + ((i * 7) % 20) * 1000);
        await Promise.all(times.map((t) => pki.crls.put(crl(issuer, t))));
        assert.equal((await pki.crls.forIssuer(issuer))[0]!.thisUpdate, T0 + 19_000);
      }));

    test('private keys: put replaces, get returns the wrapped bytes and key id, needs a stored certificate', () =>
      withStores(async ({ pki }) => {
        const c = cert('carol');
        await pki.certificates.add(c);
        await pki.privateKeys.put(c.id, Buffer.from([1, 2, 3]), 'kek-a');
        await pki.privateKeys.put(c.id, Buffer.from([4, 5, 6, 0, 255]), 'kek-b');
        const row = await pki.privateKeys.get(c.id);
        assert.deepEqual(row && { ...row, wrapped: [...row.wrapped] }, { certificateId: c.id, wrapped: [4, 5, 6, 0, 255], kekId: 'kek-b', createdAt: T0 });
        await assert.rejects(pki.privateKeys.put('e'.repeat(64), Buffer.from([1]), 'k'), { code: 'SP_ERR_STORE_WRITE_FAILED' });
        assert.equal(await pki.privateKeys.remove(c.id), true);
        assert.equal((await pki.certificates.get(c.id))?.hasPrivateKey, false);
      }));
  });
}
