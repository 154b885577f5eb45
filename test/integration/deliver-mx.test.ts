/**
 * Direct delivery against a local DNS server and real SMTP sinks on several loopback addresses
 * sharing one port (the MX port is one per deliverer, as port 25 is in real life): preference
 * order, failover on refused connections, 4xx, 5xx greetings, implicit MX, null MX, NXDOMAIN,
 * SERVFAIL and DNS timeouts. Nothing here reaches the internet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DnsMxResolver, MxDeliverer, parseNextHop, type DeliveryJob, type MxDelivererOptions } from '../../src/deliver/index.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { startSink, type Sink } from '../helpers/sink.js';

const BODY = Buffer.from('From: a@example.test\r\nSubject: mx\r\n\r\nhello\r\n');

function job(recipients: string[], over: Partial<DeliveryJob> = {}): DeliveryJob {
  return { hop: parseNextHop('mx'), sender: 'a@example.test', recipients, body: BODY, messageId: 'MX1', queueIds: ['Q1'], ...over };
}

const mx = (...hosts: Array<[number, string]>) => ({ MX: hosts.map(([preference, exchange]) => ({ preference, exchange })) });

describe('MxDeliverer: direct delivery', () => {
  let dns: DnsServer;
  let a: Sink; // 127.0.0.2
  let b: Sink; // 127.0.0.3
  let mixed: Sink; // 127.0.0.5: 550 for no*, 450 for later*
  let greet554: Sink; // 127.0.0.6: refuses at the greeting
  // 127.0.0.4: nobody listens (connection refused)
  const opened: Array<{ close(): Promise<void> }> = [];
  const deliverer = (over: Partial<MxDelivererOptions> = {}): MxDeliverer => {
    const d = new MxDeliverer({ resolver: new DnsMxResolver({ servers: [dns.address], timeoutMs: 300, tries: 1 }), port: a.port, timeouts: { connectMs: 2000 }, ...over });
    opened.push(d);
    return d;
  };

  before(async () => {
    dns = await startDnsServer({
      'order.test': mx([10, 'mx-down.order.test'], [20, 'mx-a.order.test'], [30, 'mx-b.order.test']),
      'mx-down.order.test': { A: ['127.0.0.4'] },
      'mx-a.order.test': { A: ['127.0.0.2'] },
      'mx-b.order.test': { A: ['127.0.0.3'] },
      'multi.test': mx([10, 'mx-multi.multi.test']),
      'mx-multi.multi.test': { A: ['127.0.0.4', '127.0.0.3'] },
      'mixed.test': mx([10, 'mx-m.mixed.test'], [20, 'mx-a.order.test']),
      'mx-m.mixed.test': { A: ['127.0.0.5'] },
      'greet.test': mx([5, 'mx-g.greet.test'], [10, 'mx-b.order.test']),
      'mx-g.greet.test': { A: ['127.0.0.6'] },
      'equal.test': mx([10, 'mx-a.order.test'], [10, 'mx-b.order.test']),
      'implicit.test': { A: ['127.0.0.2'] },
      'noaddr.test': {},
      'null.test': mx([0, '.']),
      'broken.test': 'SERVFAIL',
      'slow.test': 'timeout',
      'down.test': mx([10, 'mx-down.order.test'], [20, 'mx-gone.down.test'], [30, 'mx-slow.down.test']),
      'mx-slow.down.test': 'timeout',
      'nohosts.test': mx([10, 'mx-gone.nohosts.test']),
      'dnsfail.test': mx([10, 'mx-broken.dnsfail.test']),
      'mx-broken.dnsfail.test': 'SERVFAIL',
    });
    a = await startSink({ host: '127.0.0.2' });
    b = await startSink({ host: '127.0.0.3', port: a.port });
    mixed = await startSink({ host: '127.0.0.5', port: a.port, onRcpt: (addr) => (addr.startsWith('no') ? '550 5.1.1 no such user' : addr.startsWith('later') ? '450 4.2.0 try elsewhere' : null) });
    greet554 = await startSink({ host: '127.0.0.6', port: a.port, onConnect: () => '554 5.7.1 not for you' });
  });
  after(async () => {
    for (const d of opened) await d.close();
    for (const s of [a, b, mixed, greet554]) await s?.close();
    await dns?.close();
  });

  it('tries MX hosts in preference order: a refused connection moves on to the next', async () => {
    const before = { a: a.messages.length, b: b.messages.length };
    const out = await deliverer().deliver(job(['rcpt@order.test']));
    assert.deepEqual(out.results.map((r) => [r.status, r.code]), [['delivered', 250]]);
    assert.equal(out.hop, 'mx');
    assert.equal(out.remote, `mx-a.order.test[127.0.0.2]:${a.port}`);
    assert.equal(a.messages.length, before.a + 1);
    assert.equal(b.messages.length, before.b, 'the third MX was not needed');
    assert.deepEqual(a.messages.at(-1)!.body, BODY);
    const asked = dns.queries.filter((q) => q.includes('order.test'));
    assert.deepEqual(asked.slice(0, 2), ['MX order.test', 'A mx-down.order.test']);
  });

  it('tries every address of a host before giving up on it', async () => {
    const out = await deliverer().deliver(job(['rcpt@multi.test']));
    assert.equal(out.results[0]!.status, 'delivered');
    assert.equal(out.remote, `mx-multi.multi.test[127.0.0.3]:${a.port}`);
  });

  it('a 4xx sends the recipients it concerns to the next MX; a 5xx is final for the recipients it refused', async () => {
    const before = a.messages.length;
    const out = await deliverer().deliver(job(['no@mixed.test', 'yes@mixed.test', 'later@mixed.test']));
    assert.deepEqual(out.results.map((r) => [r.recipient, r.status, r.code]), [
      ['no@mixed.test', 'bounced', 550],
      ['yes@mixed.test', 'delivered', 250],
      ['later@mixed.test', 'delivered', 250],
    ]);
    assert.deepEqual(mixed.messages.at(-1)!.to, ['yes@mixed.test']);
    assert.equal(a.messages.length, before + 1);
    assert.deepEqual(a.messages.at(-1)!.to, ['later@mixed.test'], 'only the deferred recipient went on');
  });

  it('a 5xx greeting is not final: the next MX takes the message', async () => {
    const out = await deliverer().deliver(job(['rcpt@greet.test']));
    assert.equal(out.results[0]!.status, 'delivered');
    assert.equal(out.remote, `mx-b.order.test[127.0.0.3]:${a.port}`);
  });

  it('defers with the last reply when every MX refuses temporarily or greets with 5xx', async () => {
    dns.table['allsoft.test'] = mx([10, 'mx-g.greet.test'], [20, 'mx-m.mixed.test']);
    const out = await deliverer().deliver(job(['later@allsoft.test']));
    assert.equal(out.results[0]!.status, 'deferred');
    assert.equal(out.results[0]!.response, '450 4.2.0 try elsewhere');
  });

  it('orders equal preferences at random', async () => {
    const first = await deliverer({ random: () => 0 }).deliver(job(['r@equal.test']));
    const second = await deliverer({ random: () => 0.99 }).deliver(job(['r@equal.test']));
    const remotes = new Set([first.remote, second.remote]);
    assert.deepEqual([...remotes].sort(), [`mx-a.order.test[127.0.0.2]:${a.port}`, `mx-b.order.test[127.0.0.3]:${a.port}`]);
    const d = deliverer({ maxIdlePerHop: 0 });
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 16; i++) seen.add((await d.deliver(job(['r@equal.test']))).remote);
    assert.equal(seen.size, 2, 'both hosts were used first at least once in 16 runs');
  });

  it('implicit MX: a domain without MX records is its own mail host (A/AAAA)', async () => {
    const out = await deliverer().deliver(job(['rcpt@implicit.test']));
    assert.equal(out.results[0]!.status, 'delivered');
    assert.equal(out.remote, `implicit.test[127.0.0.2]:${a.port}`);
    const none = await deliverer().deliver(job(['rcpt@noaddr.test']));
    assert.deepEqual(none.results.map((r) => [r.status, r.enhanced]), [['bounced', '5.4.4']]);
    assert.match(none.results[0]!.response, /no MX and no A\/AAAA/);
  });

  it('delivers to an address literal without asking DNS', async () => {
    const asked = dns.queries.length;
    const out = await deliverer().deliver(job(['rcpt@[127.0.0.2]']));
    assert.equal(out.results[0]!.status, 'delivered');
    assert.equal(dns.queries.length, asked);
  });

  it('a null MX bounces 556 5.1.10 at once, without connecting anywhere', async () => {
    const connections = a.connections + b.connections;
    const out = await deliverer().deliver(job(['x@null.test', 'y@null.test']));
    assert.deepEqual(out.results.map((r) => [r.status, r.enhanced]), [['bounced', '5.1.10'], ['bounced', '5.1.10']]);
    assert.match(out.results[0]!.response, /^556 5\.1\.10 .*null\.test.*null MX/);
    assert.equal(out.remote, undefined);
    assert.equal(out.tls, null);
    assert.equal(a.connections + b.connections, connections);
    assert.ok(!dns.queries.some((q) => q.startsWith('A ') && q.includes('null.test')));
  });

  it('NXDOMAIN bounces 5.1.2', async () => {
    const out = await deliverer().deliver(job(['x@gone.test']));
    assert.deepEqual(out.results.map((r) => [r.status, r.enhanced]), [['bounced', '5.1.2']]);
    assert.match(out.results[0]!.response, /gone\.test does not exist \(DNS: NXDOMAIN\)/);
  });

  it('SERVFAIL and a DNS timeout defer 4.4.3', async () => {
    const failed = await deliverer().deliver(job(['x@broken.test']));
    assert.deepEqual(failed.results.map((r) => [r.status, r.enhanced]), [['deferred', '4.4.3']]);
    assert.match(failed.results[0]!.response, /MX broken\.test failed: SERVFAIL/);
    const started = Date.now();
    const slow = await deliverer().deliver(job(['x@slow.test']));
    assert.deepEqual(slow.results.map((r) => [r.status, r.enhanced]), [['deferred', '4.4.3']]);
    assert.match(slow.results[0]!.response, /MX slow\.test failed: timeout/);
    assert.ok(Date.now() - started < 3000, 'the configured DNS timeout applies');
  });

  it('defers when no MX can be reached or resolved', async () => {
    const down = await deliverer().deliver(job(['x@down.test']));
    assert.equal(down.results[0]!.status, 'deferred');
    assert.match(down.results[0]!.response, /ECONNREFUSED 127\.0\.0\.4/);
    const nohosts = await deliverer().deliver(job(['x@nohosts.test']));
    assert.deepEqual(nohosts.results.map((r) => [r.status, r.enhanced]), [['deferred', '4.4.4']]);
    const dnsfail = await deliverer().deliver(job(['x@dnsfail.test']));
    assert.deepEqual(dnsfail.results.map((r) => [r.status, r.enhanced]), [['deferred', '4.4.3']]);
  });

  it('reuses one session per MX host across jobs', async () => {
    const d = deliverer();
    const connections = a.connections;
    for (let i = 0; i < 3; i++) assert.equal((await d.deliver(job(['r@implicit.test'], { messageId: `R${i}` }))).results[0]!.status, 'delivered');
    assert.equal(a.connections, connections + 1);
    const last3 = a.messages.slice(-3).map((m) => m.connection);
    assert.equal(new Set(last3).size, 1);
  });

  it('splits a job with several recipient domains (the queue sends one domain per job)', async () => {
    const out = await deliverer().deliver(job(['x@implicit.test', 'y@null.test', 'z@order.test']));
    assert.deepEqual(out.results.map((r) => [r.recipient, r.status]), [
      ['x@implicit.test', 'delivered'],
      ['y@null.test', 'bounced'],
      ['z@order.test', 'delivered'],
    ]);
  });
});
