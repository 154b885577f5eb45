/** The capture hop and the Deliverer facade's routing by hop kind. */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaptureHop, Deliverer, parseNextHop, type DeliveryJob } from '../../src/deliver/index.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { startSink, type Sink } from '../helpers/sink.js';

const BODY = Buffer.concat([Buffer.from('Subject: captured\r\n\r\n'), Buffer.from('Grüße\r\n', 'utf8'), Buffer.from([0xfe, 0x0d, 0x0a])]);
const AT = Date.UTC(2025, 0, 2, 3, 4, 5);

function job(over: Partial<DeliveryJob> = {}): DeliveryJob {
  return { hop: parseNextHop('capture'), sender: 'a@example.test', recipients: ['b@example.net', 'c@example.net'], body: BODY, messageId: '01JABC', queueIds: ['Q1', 'Q2'], ...over };
}

describe('CaptureHop', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sealpost-capture-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes <stamp>-<messageId>-<queueId>.eml and .json into a directory it creates', async () => {
    const dir = join(root, 'nested', 'capture');
    const out = await new CaptureHop(dir, () => AT).deliver(job());
    const name = '20250102T030405-01JABC-Q1';
    assert.deepEqual(out.results.map((r) => [r.recipient, r.status, r.response]), [
      ['b@example.net', 'delivered', `250 2.0.0 captured as ${name}.eml`],
      ['c@example.net', 'delivered', `250 2.0.0 captured as ${name}.eml`],
    ]);
    assert.equal(out.hop, 'capture');
    assert.equal(out.tls, null);
    // no temporary files left behind: exactly the two final names
    assert.deepEqual((await readdir(dir)).sort(), [`${name}.eml`, `${name}.json`]);
    assert.deepEqual(await readFile(join(dir, `${name}.eml`)), BODY);
    assert.deepEqual(JSON.parse(await readFile(join(dir, `${name}.json`), 'utf8')), {
      sender: 'a@example.test',
      recipients: ['b@example.net', 'c@example.net'],
      messageId: '01JABC',
      queueIds: ['Q1', 'Q2'],
      capturedAt: '2025-01-02T03:04:05.000Z',
    });
  });

  it('keeps path separators out of file names', async () => {
    const dir = join(root, 'safe');
    const out = await new CaptureHop(dir, () => AT).deliver(job({ messageId: '<../../etc/passwd@x>', queueIds: ['a/b'] }));
    assert.equal(out.results[0]!.status, 'delivered');
    const files = await readdir(dir);
    assert.equal(files.length, 2);
    for (const f of files) assert.ok(!f.includes('/') && !f.startsWith('.'), f);
  });

  it('defers (never loses) when the directory cannot be written', async (t) => {
    if (process.getuid?.() === 0) return t.skip('root ignores directory permissions');
    const dir = join(root, 'readonly');
    await new CaptureHop(dir).deliver(job()); // creates it
    await chmod(dir, 0o500);
    t.after(() => chmod(dir, 0o700));
    const out = await new CaptureHop(dir).deliver(job({ messageId: 'M2' }));
    assert.deepEqual(out.results.map((r) => r.status), ['deferred', 'deferred']);
    assert.match(out.results[0]!.response, /^capture to .* failed: EACCES/);
  });

  it('defers when the capture path is a file', async () => {
    const file = join(root, 'not-a-dir');
    await writeFile(file, 'x');
    const out = await new CaptureHop(file).deliver(job());
    assert.deepEqual(out.results.map((r) => r.status), ['deferred', 'deferred']);
    assert.match(out.results[0]!.response, /failed: (EEXIST|ENOTDIR)/);
  });
});

describe('Deliverer facade', () => {
  let root: string;
  let sink: Sink;
  let dns: DnsServer;
  let deliverer: Deliverer;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'sealpost-facade-'));
    sink = await startSink();
    dns = await startDnsServer({ 'example.net': { MX: [{ preference: 10, exchange: 'mx.example.net' }] }, 'mx.example.net': { A: ['127.0.0.1'] } });
    deliverer = new Deliverer({ captureDir: root, now: () => AT, mx: { dns: { servers: [dns.address] }, port: sink.port } });
  });
  after(async () => {
    await deliverer.close();
    await dns.close();
    await sink.close();
    await rm(root, { recursive: true, force: true });
  });

  it('routes capture, smtp and mx hops', async () => {
    const captured = await deliverer.deliver(job());
    assert.equal(captured.results[0]!.status, 'delivered');
    assert.equal((await readdir(root)).length, 2);

    const sent = await deliverer.deliver(job({ hop: parseNextHop(`smtp://127.0.0.1:${sink.port}`) }));
    assert.deepEqual(sent.results.map((r) => r.status), ['delivered', 'delivered']);
    assert.deepEqual(sink.messages[0]!.body, BODY);

    const mx = await deliverer.deliver(job({ hop: parseNextHop('mx') }));
    assert.deepEqual(mx.results.map((r) => r.status), ['delivered', 'delivered']);
    assert.equal(mx.hop, 'mx');
    assert.match(mx.remote ?? '', /^mx\.example\.net\[127\.0\.0\.1\]:\d+$/);
    assert.equal(sink.messages.length, 2);
    assert.deepEqual(dns.queries.slice(0, 2), ['MX example.net', 'A mx.example.net']);
  });
});
