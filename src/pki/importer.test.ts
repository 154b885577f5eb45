/**
 * Import of the files administrators bring: PEM bundles, DER, PKCS#7 from `openssl crl2pkcs7
 * -nocrl` (PEM and DER), PKCS#12 from `openssl pkcs12 -export` (legacy and OpenSSL 3 defaults),
 * with private keys wrapped at rest.
 */
import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createStores, openDatabase, type Stores } from '../db/index.js';
import { KeyWrapper } from '../keystore/key-wrap.js';
import { hierarchy, opensslP7b, opensslPkcs12, workdir, type Hierarchy } from '../../test/helpers/pki.js';
import { createPki, DEFAULT_PKI_SETTINGS, type Pki } from './index.js';

describe('certificate import', () => {
  let h: Hierarchy;
  let w: Awaited<ReturnType<typeof workdir>>;
  let stores: Stores;
  let pki: Pki;
  before(async () => {
    h = await hierarchy();
    w = await workdir();
  });
  after(() => w.close());
  const fresh = async () => {
    stores = createStores(await openDatabase('sqlite::memory:'));
    pki = createPki(stores.pki, DEFAULT_PKI_SETTINGS, { wrapper: new KeyWrapper(randomBytes(32)) });
  };

  test('PEM with several certificates, and the same certificate again as DER, is one row each', async () => {
    await fresh();
    try {
      const alice = await h.user('alice@example.test');
      const r = await pki.importer.import(Buffer.from(alice.pem + h.intermediate.pem + h.root.pem));
      assert.equal(r.kind, 'pem');
      assert.deepEqual(r.certificates.map((c) => c.created), [true, true, true]);
      const again = await pki.importer.import(alice.der);
      assert.equal(again.kind, 'der');
      assert.equal(again.certificates[0]!.created, false);
      assert.equal(again.certificates[0]!.record.id, r.certificates[0]!.record.id);
      assert.equal((await stores.pki.certificates.list()).length, 3);
      assert.deepEqual(r.certificates[0]!.record.emails, ['alice@example.test']);
    } finally {
      await stores.close();
    }
  });

  for (const der of [false, true]) {
    test(`PKCS#7 certs-only bundle from openssl crl2pkcs7 -nocrl (${der ? 'DER' : 'PEM'}) keeps the original bytes`, async () => {
      await fresh();
      try {
        const bob = await h.user('bob@example.test');
        const r = await pki.importer.import(await opensslP7b(w, [bob, h.intermediate], der));
        assert.equal(r.kind, 'pkcs7');
        assert.deepEqual(r.certificates.map((c) => c.record.der.toString('hex')).sort(), [bob.der, h.intermediate.der].map((d) => d.toString('hex')).sort());
      } finally {
        await stores.close();
      }
    });
  }

  for (const legacy of [true, false]) {
    for (const key of ['ec', 'rsa'] as const) {
      test(`PKCS#12 from openssl pkcs12 -export${legacy ? ' -legacy' : ' (OpenSSL 3 defaults)'}, ${key}: certificate, chain and wrapped key`, async () => {
        await fresh();
        try {
          const carol = await h.user('carol@example.test', { key });
          const p12 = await opensslPkcs12(w, carol, [h.intermediate, h.root], 'pä55 wörd€', legacy);
          const r = await pki.importer.import(p12, { password: 'pä55 wörd€', name: 'carol.p12' });
          assert.equal(r.kind, 'pkcs12');
          assert.equal(r.certificates.length, 3);
          const ids = new Set(r.certificates.map((c) => c.record.der.toString('hex')));
          for (const c of [carol, h.intermediate, h.root]) assert.ok(ids.has(c.der.toString('hex')), `${c.name} imported byte for byte`);
          const mine = r.certificates.find((c) => c.record.emails.includes('carol@example.test'))!;
          assert.equal(mine.record.hasPrivateKey, true);
          assert.equal(mine.record.source, 'pkcs12');
          assert.deepEqual(r.keys, [mine.record.id]);
          const key2 = await pki.keys!.get(mine.record.id);
          assert.ok(key2);
          const original = createPrivateKey(carol.keyPem).export({ format: 'der', type: 'pkcs8' });
          assert.ok(key2.export({ format: 'der', type: 'pkcs8' }).equals(original), 'the key round-trips');
          await assert.rejects(pki.importer.import(p12, { password: 'wrong', name: 'carol.p12' }), (e: Error & { code?: string }) => e.code === 'SP_ERR_CLI_USAGE' && /carol\.p12: PKCS#12: wrong password/.test(e.message));
          await assert.rejects(pki.importer.import(p12, { name: 'carol.p12' }), /carol\.p12: PKCS#12 is password-protected: give --password/);
        } finally {
          await stores.close();
        }
      });
    }
  }

  test('a key that belongs to no certificate of the file is refused, nothing is stored', async () => {
    await fresh();
    try {
      const a = await h.user('a@example.test');
      const b = await h.user('b@example.test');
      await assert.rejects(pki.importer.import(Buffer.from(a.pem + b.keyPem), { name: 'mix.pem' }), /mix\.pem: a private key in the file belongs to none of its certificates/);
      assert.equal((await stores.pki.certificates.list()).length, 0);
      const ok = await pki.importer.import(Buffer.from(a.pem + a.keyPem));
      assert.deepEqual(ok.keys, [ok.certificates[0]!.record.id]);
      await assert.rejects(pki.importer.import(Buffer.from('hello'), { name: 'x.bin' }), /x\.bin: /);
      await assert.rejects(pki.importer.import(Buffer.from(a.keyPem), { trust: true, name: 'k.pem' }), /no certificate|certificates only/);
    } finally {
      await stores.close();
    }
  });

  test('learn stores certificates of verified signers as `learnt`, skipping garbage, trusting nothing', async () => {
    await fresh();
    try {
      const dora = await h.user('dora@example.test');
      assert.equal((await pki.importer.learn([dora.der, Buffer.from('junk'), dora.der])).length, 1);
      const [row] = await stores.pki.certificates.byEmail('dora@example.test');
      assert.equal(row?.source, 'learnt');
      assert.equal((await stores.pki.roots.ids()).size, 0);
    } finally {
      await stores.close();
    }
  });

  test('trust marks every certificate of the file as an anchor', async () => {
    await fresh();
    try {
      const r = await pki.importer.import(Buffer.from(h.root.pem), { trust: true });
      assert.equal(r.certificates[0]!.trusted, true);
      assert.equal(r.certificates[0]!.record.source, 'trust');
      assert.ok((await stores.pki.roots.ids()).has(r.certificates[0]!.record.id));
    } finally {
      await stores.close();
    }
  });
});
