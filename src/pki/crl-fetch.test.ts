/** The HTTP CRL fetcher's limits against a local server: timeout, size, redirects, schemes. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { CrlFetchError, HttpCrlFetcher } from './crl-fetch.js';

let server: http.Server;
let base: string;
before(async () => {
  server = http.createServer((req, res) => {
    switch (req.url) {
      case '/ok':
        return void res.end(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]));
      case '/big-declared':
        return void res.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000));
      case '/big-chunked':
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000));
        return void res.end();
      case '/slow':
        res.writeHead(200);
        res.write('x');
        return; // never ends
      case '/redirect':
        return void res.writeHead(302, { location: '/ok' }).end();
      case '/loop':
        return void res.writeHead(301, { location: '/loop' }).end();
      case '/to-https':
        return void res.writeHead(302, { location: 'https://127.0.0.1/x.crl' }).end();
      default:
        return void res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const fetcher = new HttpCrlFetcher({ timeoutMs: 300, maxBytes: 4096 });
const rejects = (url: string, pattern: RegExp) => assert.rejects(fetcher.fetch(url), (e: Error) => e instanceof CrlFetchError && pattern.test(e.message));

test('fetches a body, following a redirect', async () => {
  assert.deepEqual([...(await fetcher.fetch(`${base}/ok`))], [0x30, 0x03, 0x02, 0x01, 0x00]);
  assert.equal((await fetcher.fetch(`${base}/redirect`)).length, 5);
});

test('refuses what is too big, too slow, not found, looping or not http', async () => {
  await rejects(`${base}/big-declared`, /5000 bytes is more than the limit of 4096/);
  await rejects(`${base}/big-chunked`, /more than the limit of 4096 bytes/);
  const started = Date.now();
  await rejects(`${base}/slow`, /no complete answer within 300 ms/);
  assert.ok(Date.now() - started < 2000);
  await rejects(`${base}/missing`, /HTTP 404/);
  await rejects(`${base}/loop`, /too many redirects/);
  await rejects(`${base}/to-https`, /only http/);
  await rejects('ldap://ldap.example.test/cn=CA?certificateRevocationList', /only http/);
  await rejects('http://127.0.0.1:1/x.crl', /ECONNREFUSED/);
});
