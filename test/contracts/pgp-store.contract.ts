/**
 * Contract suite for the OpenPGP keyring and lookup stores, engine-neutral: pgp-sqlite.test.ts
 * and pgp-postgres.test.ts run it with a fresh database per test. Keys are synthetic rows (the
 * store indexes what pgp/ computed; parsing has its own tests).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { NewPgpKey } from '../../src/pgp/types.js';
import { storesWithClock, type MakeStores } from './engines.js';
import { T0 } from './store-fixtures.js';

export type MakePgpStores = MakeStores;

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');

function key(name: string, over: Partial<NewPgpKey> = {}): NewPgpKey {
  const fp = sha1(`key:${name}`);
  return {
    fingerprint: fp,
    keyId: fp.slice(-16),
    keyIds: [fp.slice(-16), sha1(`sub:${name}`).slice(-16)],
    publicKey: Buffer.from([0x99, 0x01, 0x0d, ...Buffer.from(name)]),
    userIds: [`${name} <${name}@example.test>`],
    emails: [`${name}@example.test`],
    algorithm: 'eddsaLegacy/ed25519Legacy',
    keyCreatedAt: T0 - 1000,
    expiresAt: null,
    revoked: false,
    source: 'import',
    trust: 'trusted',
    ...over,
  };
}

export function runPgpStoreContract(name: string, make: MakePgpStores): void {
  const withStores = storesWithClock(make);

  describe(`PGP store contract: ${name}`, () => {
    test('upsert stores a key once per fingerprint; every index finds it; bytes and times come back as they went in', () =>
      withStores(async ({ pgp }, clock) => {
        const a = key('alice', { emails: ['alice@example.test', 'A.Smith@Example.test'], expiresAt: T0 + 86_400_000 });
        const first = await pgp.keys.upsert(a);
        assert.equal(first.created, true);
        assert.deepEqual(first.record, { ...a, emails: ['alice@example.test', 'a.smith@example.test'], keyIds: [...a.keyIds], userIds: [...a.userIds], hasSecret: false, addedAt: T0, updatedAt: T0 });
        assert.equal((await pgp.keys.byEmail('A.SMITH@example.test'))[0]?.fingerprint, a.fingerprint);
        assert.equal((await pgp.keys.byKeyId(a.keyIds[1]!.toUpperCase()))[0]?.fingerprint, a.fingerprint);
        assert.equal((await pgp.keys.get(a.fingerprint.toUpperCase()))?.keyId, a.keyId);
        clock.now = T0 + 5000;
        const again = await pgp.keys.upsert({ ...a, emails: ['alice@example.test'], revoked: true, trust: 'learnt' });
        assert.equal(again.created, false);
        assert.equal(again.record.addedAt, T0);
        assert.equal(again.record.updatedAt, T0 + 5000);
        assert.equal(again.record.revoked, true);
        assert.equal(again.record.trust, 'learnt');
        assert.deepEqual(await pgp.keys.byEmail('a.smith@example.test'), [], 'index rows follow the new user IDs');
        assert.equal((await pgp.keys.list()).length, 1);
      }));

    test('secret keys: stored wrapped, hasSecret follows, replaced in place, removed with the key (cascade)', () =>
      withStores(async ({ pgp }) => {
        const b = key('bob');
        await pgp.keys.upsert(b);
        await pgp.keys.putSecret(b.fingerprint, Buffer.from('wrapped-1'), 'kek1');
        await pgp.keys.putSecret(b.fingerprint, Buffer.from('wrapped-2'), 'kek2');
        assert.deepEqual(await pgp.keys.getSecret(b.fingerprint), { wrapped: Buffer.from('wrapped-2'), kekId: 'kek2' });
        assert.equal((await pgp.keys.get(b.fingerprint))?.hasSecret, true);
        assert.equal(await pgp.keys.setTrust(b.fingerprint, 'pending'), true);
        assert.equal((await pgp.keys.get(b.fingerprint))?.trust, 'pending');
        assert.equal(await pgp.keys.remove(b.fingerprint), true);
        assert.equal(await pgp.keys.getSecret(b.fingerprint), null);
        assert.deepEqual(await pgp.keys.byEmail('bob@example.test'), []);
        assert.deepEqual(await pgp.keys.byKeyId(b.keyId), []);
        assert.equal(await pgp.keys.remove(b.fingerprint), false);
        await assert.rejects(pgp.keys.putSecret('00'.repeat(20), Buffer.from('x'), 'k'), /SP_ERR_STORE_WRITE_FAILED|storage write failed|FOREIGN|foreign/i);
      }));

    test('list: newest key first; several keys per address', () =>
      withStores(async ({ pgp }) => {
        await pgp.keys.upsert(key('old', { emails: ['c@example.test'], keyCreatedAt: T0 - 10_000 }));
        await pgp.keys.upsert(key('new', { emails: ['c@example.test'], keyCreatedAt: T0 - 10 }));
        assert.deepEqual((await pgp.keys.list()).map((k) => k.fingerprint), [sha1('key:new'), sha1('key:old')]);
        assert.deepEqual((await pgp.keys.byEmail('c@example.test')).map((k) => k.fingerprint), [sha1('key:new'), sha1('key:old')]);
      }));

    test('lookups: audit rows per lookup (newest first), cache per address replaced in place', () =>
      withStores(async ({ pgp }, clock) => {
        await pgp.lookups.audit({ address: 'D@partner.test', method: 'wkd-advanced', url: 'https://openpgpkey.partner.test/x', outcome: 'not-found', fingerprints: [], detail: '404' });
        clock.now = T0 + 10;
        await pgp.lookups.audit({ address: 'd@partner.test', method: 'hkp', url: 'https://keys.test/pks/lookup', outcome: 'found', fingerprints: ['ab'], detail: '' });
        await pgp.lookups.audit({ address: 'e@partner.test', method: 'hkp', url: 'https://keys.test/pks/lookup', outcome: 'error', fingerprints: [], detail: 'timeout' });
        const d = await pgp.lookups.audits('d@partner.test');
        assert.deepEqual(d.map((a) => [a.method, a.outcome, a.at]), [['hkp', 'found', T0 + 10], ['wkd-advanced', 'not-found', T0]]);
        assert.equal((await pgp.lookups.audits()).length, 3);
        assert.equal(await pgp.lookups.cacheGet('d@partner.test'), null);
        await pgp.lookups.cachePut({ address: 'D@partner.test', outcome: 'not-found', fingerprints: [], fetchedAt: T0, expiresAt: T0 + 100 });
        await pgp.lookups.cachePut({ address: 'd@partner.test', outcome: 'found', fingerprints: ['ab', 'cd'], fetchedAt: T0 + 1, expiresAt: T0 + 200 });
        assert.deepEqual(await pgp.lookups.cacheGet('d@PARTNER.test'), { address: 'd@partner.test', outcome: 'found', fingerprints: ['ab', 'cd'], fetchedAt: T0 + 1, expiresAt: T0 + 200 });
      }));
  });
}
