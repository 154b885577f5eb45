import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { FetchError, httpFetcher } from './fetcher.js';
import { hkpUrl, wkdUrls, zbase32 } from './urls.js';

test('urls: WKD advanced/direct and HKP(S) forms; z-base-32 of known bytes', () => {
  // draft-koch-openpgp-webkey-service §3.1 example: Joe.Doe@Example.ORG
  const u = wkdUrls('Joe.Doe@Example.ORG');
  assert.equal(u.advanced, 'https://openpgpkey.example.org/.well-known/openpgpkey/example.org/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe');
  assert.equal(u.direct, 'https://example.org/.well-known/openpgpkey/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q?l=Joe.Doe');
  assert.equal(zbase32(Buffer.from([0xf0, 0xbf, 0xc7])), '6n9hq');
  assert.equal(hkpUrl('hkps://keys.openpgp.org', 'a@b.test'), 'https://keys.openpgp.org/pks/lookup?op=get&options=mr&search=a%40b.test');
  assert.equal(hkpUrl('hkp://keys.test', 'a@b.test'), 'http://keys.test:11371/pks/lookup?op=get&options=mr&search=a%40b.test');
});

test('fetcher: http refused unless allowed; size cap; timeout; redirects never downgrade', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/big') return res.end(Buffer.alloc(100_000, 0x41));
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 2000).unref();
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/ok' });
      return res.end();
    }
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.closeAllConnections() ?? server.close());
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const limits = { timeoutMs: 500, maxBytes: 10_000 };
  await assert.rejects(httpFetcher()(`${base}/ok`, limits), (e: unknown) => e instanceof FetchError && e.kind === 'refused');
  const f = httpFetcher({ allowHttp: true });
  assert.equal((await f(`${base}/ok`, limits)).body.toString(), 'ok');
  assert.equal((await f(`${base}/redirect`, limits)).body.toString(), 'ok');
  await assert.rejects(f(`${base}/big`, limits), (e: unknown) => e instanceof FetchError && e.kind === 'too-large');
  await assert.rejects(f(`${base}/slow`, limits), (e: unknown) => e instanceof FetchError && e.kind === 'timeout');
  await assert.rejects(f(`http://user:pw@127.0.0.1:1/`, limits), (e: unknown) => e instanceof FetchError && e.kind === 'refused');
});
