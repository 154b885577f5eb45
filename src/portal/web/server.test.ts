/**
 * The portal app over a real SQLite PortalStore, driven with fastify's inject (no sockets, no
 * browser): response headers, CSRF refusals, the upload limit, unknown routes, static assets.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createStores, openDatabase, type Stores } from '../../db/index.js';
import { silentLogger } from '../../observability/logger.js';
import { PortalCrypto } from '../crypto.js';
import { CSS_PATH, JS_PATH } from './assets.js';
import { buildPortalApp } from './server.js';
import { createSelfSignedIdentity } from '../../receive/self-signed.js';

let dir: string;
let stores: Stores;
let app: FastifyInstance;
const injected: unknown[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealpost-portal-app-'));
  stores = createStores(await openDatabase(`sqlite:${join(dir, 'p.db')}`));
  const crypto = PortalCrypto.fromMasterKey(randomBytes(32));
  ({ app } = await buildPortalApp(
    {
      store: stores.portal,
      openBody: async (m, b) => crypto.open('message', m.id, b),
      inject: async (r) => {
        injected.push(r);
        return { id: 'x' };
      },
      sendPasswordReset: async () => undefined,
      readReceipt: async () => undefined,
      isInternal: (a) => a.endsWith('@example.test'),
      wrapTotp: (a, s) => crypto.wrapSecret('totp', a, s),
      unwrapTotp: (a, w) => crypto.unwrapSecret('totp', a, w),
    },
    { listen: '127.0.0.1:0', baseUrl: 'https://portal.example.test', secret: randomBytes(32), logger: silentLogger(), maxUpload: 64 * 1024, argon2: { memoryCost: 4096, timeCost: 1 } },
    await createSelfSignedIdentity('portal.example.test'),
    'https://portal.example.test',
  ));
});
after(async () => {
  await app.close();
  await stores.close();
  await rm(dir, { recursive: true, force: true });
});

function cookies(res: { cookies: { name: string; value: string }[] }): string {
  return res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

test('every page carries the strict headers and sets Secure/HttpOnly/SameSite=Strict cookies', async () => {
  const res = await app.inject({ method: 'GET', url: '/login', headers: { 'accept-language': 'pl' } });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-security-policy'], "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(res.body, /<html lang="pl">/);
  assert.doesNotMatch(res.body, /<script>|<style>|\son[a-z]+=/i, 'no inline script, style or handler');
  const csrf = res.cookies.find((c) => c.name === 'sp_csrf')!;
  assert.deepEqual([csrf.secure, csrf.httpOnly, csrf.sameSite], [true, true, 'Strict']);
});

test('a POST without the right CSRF token is refused before any handler runs', async () => {
  const page = await app.inject({ method: 'GET', url: '/login' });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const noToken = await app.inject({ method: 'POST', url: '/login', headers: { cookie: cookies(page), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'address=a%40b.test&password=x' });
  assert.equal(noToken.statusCode, 403);
  // the token of another browser (other anchor cookie) does not fit this one
  const other = await app.inject({ method: 'GET', url: '/login' });
  const wrong = await app.inject({ method: 'POST', url: '/login', headers: { cookie: cookies(other), 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${token}&address=a%40b.test&password=x` });
  assert.equal(wrong.statusCode, 403);
  const right = await app.inject({ method: 'POST', url: '/login', headers: { cookie: cookies(page), 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${token}&address=a%40b.test&password=x` });
  assert.equal(right.statusCode, 401, 'the handler ran (and refused the unknown address)');
  const json = await app.inject({ method: 'POST', url: '/passkeys/login/options', headers: { cookie: cookies(page), 'content-type': 'application/json' }, payload: '{}' });
  assert.equal(json.statusCode, 403);
  const jsonOk = await app.inject({ method: 'POST', url: '/passkeys/login/options', headers: { cookie: cookies(page), 'content-type': 'application/json', 'x-csrf-token': token }, payload: '{}' });
  assert.equal(jsonOk.statusCode, 200);
  assert.equal(JSON.parse(jsonOk.body).rpId, 'portal.example.test', 'the rpID is the baseUrl host');
});

test('uploads above maxUpload are refused with a page, unknown routes answer 404, assets are cacheable', async () => {
  const page = await app.inject({ method: 'GET', url: '/login' });
  const big = Buffer.concat([Buffer.from('--b\r\nContent-Disposition: form-data; name="files"; filename="a.bin"\r\n\r\n'), Buffer.alloc(100 * 1024), Buffer.from('\r\n--b--\r\n')]);
  const res = await app.inject({ method: 'POST', url: '/compose', headers: { cookie: cookies(page), 'content-type': 'multipart/form-data; boundary=b' }, payload: big });
  assert.equal(res.statusCode, 413);
  assert.match(res.body, /attachments are too large/);
  assert.equal(injected.length, 0);
  const missing = await app.inject({ method: 'GET', url: '/nowhere' });
  assert.equal(missing.statusCode, 404);
  assert.match(missing.body, /does not exist/);
  for (const path of [CSS_PATH, JS_PATH]) {
    const asset = await app.inject({ method: 'GET', url: path });
    assert.equal(asset.statusCode, 200);
    assert.match(asset.headers['cache-control'] as string, /immutable/);
  }
  assert.equal((await app.inject({ method: 'GET', url: '/inbox' })).statusCode, 401, 'no session, no inbox');
});

test('startPortal refuses a baseUrl that is not an https origin', async () => {
  const { startPortal } = await import('./index.js');
  for (const baseUrl of ['http://portal.example.test', 'https://portal.example.test/portal']) {
    await assert.rejects(
      startPortal({ ports: {} as never, options: { listen: '127.0.0.1:0', baseUrl, secret: randomBytes(32), logger: silentLogger() } }),
      (err: { code?: string; context?: { path?: string } }) => err.code === 'SP_ERR_CONFIG_INVALID' && err.context?.path === 'portal.baseUrl',
      baseUrl,
    );
  }
});

test('the language switcher never links off the portal (protocol-relative paths)', async () => {
  for (const url of ['//evil.test/x', '/\\evil.test/x']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 404);
    assert.doesNotMatch(res.body, /href="\/[\/\\]/, url);
  }
});
