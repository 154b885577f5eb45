import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createStores, openDatabase } from '../db/index.js';
import { PortalCrypto } from './crypto.js';
import { portalPdfPasswords } from './pdf-password.js';

test('a recipient\'s PDF password: wrapped apart from the login, read back for the pdf method, bounded, audited without the value', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sealpost-portal-pdf-'));
  const stores = createStores(await openDatabase(`sqlite:${join(dir, 'p.db')}`));
  t.after(async () => {
    await stores.close();
    await rm(dir, { recursive: true, force: true });
  });
  const crypto = PortalCrypto.fromMasterKey(randomBytes(32));
  const pdf = portalPdfPasswords(stores.portal, crypto);
  await assert.rejects(pdf.set('bob@partner.test', 'correct horse battery'), { code: 'SP_ERR_STORE_NOT_FOUND' });
  await stores.portal.accounts.ensure('bob@partner.test');
  assert.equal(await pdf.lookup('bob@partner.test'), null);
  assert.equal(await pdf.has('bob@partner.test'), false);
  await assert.rejects(pdf.set('bob@partner.test', 'short'), { code: 'SP_ERR_PORTAL_INPUT_INVALID' });
  await pdf.set('Bob@Partner.test', 'correct horse battery ü', '192.0.2.1');
  assert.equal(await pdf.lookup('bob@partner.test'), 'correct horse battery ü');
  assert.equal(await pdf.has('bob@partner.test'), true);
  const account = await stores.portal.accounts.get('bob@partner.test');
  assert.ok(account?.pdfPassword && !account.pdfPassword.includes(Buffer.from('correct horse')), 'stored wrapped');
  assert.equal(account.passwordHash, null, 'the login password is something else');
  await assert.rejects(portalPdfPasswords(stores.portal, PortalCrypto.fromMasterKey(randomBytes(32))).lookup('bob@partner.test'), { code: 'SP_ERR_CONFIG_INVALID' }, 'another master key never yields a password');
  const audit = await stores.portal.audit.list({ address: 'bob@partner.test' });
  assert.deepEqual(audit.map((a) => [a.event, a.ip, JSON.stringify(a.detail)]), [['pdf-password-set', '192.0.2.1', '{}']]);
  await pdf.clear('bob@partner.test');
  assert.equal(await pdf.lookup('bob@partner.test'), null);
});
