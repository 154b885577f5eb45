/**
 * SmtpDeliverer against a real SMTP server on loopback: bytes, per-recipient classification,
 * failures before and during the transaction. TLS, AUTH and pooling: deliver-tls.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseNextHop, SmtpDeliverer, type DeliveryJob } from '../../src/deliver/index.js';
import { startSink, type Sink } from '../helpers/sink.js';

const CRLF = '\r\n';
const MESSAGE = Buffer.from(
  ['From: a@example.test', 'To: b@example.net', 'Subject: test', 'Message-ID: <m1@example.test>', '', 'Hello.', '.leading dot must survive', 'end', ''].join(CRLF),
);

function job(sink: { port: number }, over: Partial<DeliveryJob> = {}): DeliveryJob {
  return {
    hop: parseNextHop(`smtp://127.0.0.1:${sink.port}`),
    sender: 'a@example.test',
    recipients: ['b@example.net'],
    body: MESSAGE,
    messageId: 'M1',
    queueIds: ['Q1'],
    ...over,
  };
}

/** Reserves a loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('SmtpDeliverer: plain SMTP', () => {
  let sink: Sink;
  let deliverer: SmtpDeliverer;
  before(async () => {
    sink = await startSink({
      onRcpt: (addr) => (addr.startsWith('unknown') ? '550 5.1.1 no such user' : addr.startsWith('busy') ? '450 4.2.0 mailbox busy' : null),
      onMail: (addr) => (addr === 'spammer@example.test' ? '550 5.7.1 sender refused' : null),
      onData: (msg) => {
        const subject = /^Subject: (.*)$/m.exec(msg.body.toString('latin1'))?.[1]?.trim();
        if (subject === 'tempfail-data') return '451 4.3.0 try later';
        if (subject === 'permfail-data') return '554 5.6.0 content refused';
        return null;
      },
    });
    deliverer = new SmtpDeliverer({ hostname: 'gw.example.test' });
  });
  after(async () => {
    await deliverer.close();
    await sink.close();
  });

  it('delivers the body byte for byte, without STARTTLS when none is offered', async () => {
    const out = await deliverer.deliver(job(sink));
    assert.equal(out.results.length, 1);
    assert.equal(out.results[0]!.status, 'delivered');
    assert.equal(out.results[0]!.code, 250);
    assert.match(out.results[0]!.response, /^250 2\.0\.0 Ok: queued as \d+$/);
    assert.equal(out.tls, null);
    assert.equal(out.hop, `smtp://127.0.0.1:${sink.port}`);
    assert.match(out.remote ?? '', /^127\.0\.0\.1:\d+$/);
    const got = sink.messages.at(-1)!;
    assert.deepEqual(got.body, MESSAGE);
    assert.equal(got.from, 'a@example.test');
    assert.deepEqual(got.to, ['b@example.net']);
    assert.equal(got.tls, false);
    assert.equal(got.bodyType, '7bit');
  });

  it('sends an 8-bit body unchanged, declaring BODY=8BITMIME', async () => {
    const body = Buffer.concat([Buffer.from(`Subject: 8bit${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}`), Buffer.from(`Grüße, 日本語 ✓${CRLF}`, 'utf8'), Buffer.from([0xff, 0xfe, 0x0d, 0x0a])]);
    const out = await deliverer.deliver(job(sink, { body }));
    assert.equal(out.results[0]!.status, 'delivered');
    const got = sink.messages.at(-1)!;
    assert.deepEqual(got.body, body);
    assert.equal(got.bodyType, '8bitmime');
  });

  it('sends the null sender as MAIL FROM:<>', async () => {
    const out = await deliverer.deliver(job(sink, { sender: '' }));
    assert.equal(out.results[0]!.status, 'delivered');
    assert.equal(sink.messages.at(-1)!.from, '');
  });

  it('keeps per-recipient RCPT replies: 250 delivered, 550 bounced, 450 deferred', async () => {
    const out = await deliverer.deliver(job(sink, { recipients: ['ok@example.net', 'unknown@example.net', 'busy@example.net'] }));
    const by = Object.fromEntries(out.results.map((r) => [r.recipient, r]));
    assert.equal(by['ok@example.net']!.status, 'delivered');
    assert.equal(by['unknown@example.net']!.status, 'bounced');
    assert.equal(by['unknown@example.net']!.response, '550 5.1.1 no such user');
    assert.equal(by['unknown@example.net']!.enhanced, '5.1.1');
    assert.equal(by['busy@example.net']!.status, 'deferred');
    assert.equal(by['busy@example.net']!.response, '450 4.2.0 mailbox busy');
    assert.equal(by['busy@example.net']!.code, 450);
    assert.deepEqual(sink.messages.at(-1)!.to, ['ok@example.net']);
  });

  it('classifies a transaction where every recipient is refused, recipient by recipient', async () => {
    const out = await deliverer.deliver(job(sink, { recipients: ['unknown@example.net', 'busy@example.net'] }));
    assert.deepEqual(out.results.map((r) => r.status), ['bounced', 'deferred']);
  });

  it('defers every accepted recipient on 4xx after DATA; refused ones keep their reply', async () => {
    const body = Buffer.from(`Subject: tempfail-data${CRLF}${CRLF}x${CRLF}`);
    const out = await deliverer.deliver(job(sink, { body, recipients: ['one@example.net', 'two@example.net', 'unknown@example.net'] }));
    assert.deepEqual(out.results.map((r) => [r.status, r.response]), [
      ['deferred', '451 4.3.0 try later'],
      ['deferred', '451 4.3.0 try later'],
      ['bounced', '550 5.1.1 no such user'],
    ]);
  });

  it('bounces every accepted recipient on 5xx after DATA', async () => {
    const body = Buffer.from(`Subject: permfail-data${CRLF}${CRLF}x${CRLF}`);
    const out = await deliverer.deliver(job(sink, { body, recipients: ['one@example.net', 'two@example.net'] }));
    assert.deepEqual(out.results.map((r) => [r.status, r.code, r.enhanced]), [
      ['bounced', 554, '5.6.0'],
      ['bounced', 554, '5.6.0'],
    ]);
  });

  it('bounces a malformed recipient locally and still delivers the others', async () => {
    const out = await deliverer.deliver(job(sink, { recipients: ['bad>@example.net\r\nRSET', 'fine@example.net'] }));
    assert.deepEqual(out.results.map((r) => [r.status, r.enhanced]), [['bounced', '5.1.3'], ['delivered', '2.0.0']]);
    assert.deepEqual(sink.messages.at(-1)!.to, ['fine@example.net']);
  });

  it('bounces all recipients when MAIL FROM is refused with 5xx', async () => {
    const out = await deliverer.deliver(job(sink, { sender: 'spammer@example.test', recipients: ['one@example.net', 'two@example.net'] }));
    assert.deepEqual(out.results.map((r) => [r.status, r.response]), [
      ['bounced', '550 5.7.1 sender refused'],
      ['bounced', '550 5.7.1 sender refused'],
    ]);
  });
});

describe('SmtpDeliverer: failures before and during the transaction', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  after(async () => {
    for (const c of opened.reverse()) await c.close();
  });

  /** A minimal server that accepts everything, then never answers the final dot. */
  async function startMute(): Promise<number> {
    const sockets = new Set<Socket>();
    const mute = createServer((socket) => {
      sockets.add(socket);
      socket.write('220 mute.test ESMTP\r\n');
      let inData = false;
      socket.on('data', (chunk) => {
        for (const line of chunk.toString('latin1').split('\r\n').filter(Boolean)) {
          if (inData) continue;
          if (/^EHLO/i.test(line)) socket.write('250-mute.test\r\n250 8BITMIME\r\n');
          else if (/^DATA/i.test(line)) {
            inData = true;
            socket.write('354 go ahead\r\n');
          } else socket.write('250 ok\r\n');
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    opened.push({
      close: () =>
        new Promise<void>((r) => {
          mute.close(() => r());
          for (const s of sockets) s.destroy();
        }),
    });
    return (mute.address() as { port: number }).port;
  }

  it('defers on connection refused, naming the address', async () => {
    const d = new SmtpDeliverer();
    opened.push(d);
    const port = await closedPort();
    const out = await d.deliver(job({ port }, { recipients: ['x@example.net', 'y@example.net'] }));
    assert.deepEqual(out.results.map((r) => r.status), ['deferred', 'deferred']);
    assert.equal(out.results[0]!.response, `connect ECONNREFUSED 127.0.0.1:${port}`);
    assert.equal(out.results[0]!.code, undefined);
    assert.equal(out.remote, undefined);
  });

  it('defers on a 421 greeting and bounces on a 554 greeting', async () => {
    const busy = await startSink({ onConnect: () => '421 4.3.2 too busy' });
    opened.push(busy);
    const refusing = await startSink({ onConnect: () => '554 5.7.1 no service for you' });
    opened.push(refusing);
    const d = new SmtpDeliverer();
    opened.push(d);
    const a = await d.deliver(job(busy));
    assert.equal(a.results[0]!.status, 'deferred');
    assert.equal(a.results[0]!.code, 421);
    const b = await d.deliver(job(refusing));
    assert.equal(b.results[0]!.status, 'bounced');
    assert.equal(b.results[0]!.response, '554 5.7.1 no service for you');
  });

  it('defers when the greeting never comes (greeting timeout)', async () => {
    const silent = createServer(() => undefined); // accepts, never speaks
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    opened.push({ close: () => new Promise<void>((r) => { silent.close(() => r()); }) });
    const sockets = new Set<Socket>();
    silent.on('connection', (s) => sockets.add(s));
    opened.push({ close: async () => { for (const s of sockets) s.destroy(); } });
    const d = new SmtpDeliverer({ timeouts: { greetingMs: 200 } });
    opened.push(d);
    const started = Date.now();
    const out = await d.deliver(job({ port: (silent.address() as { port: number }).port }));
    assert.equal(out.results[0]!.status, 'deferred');
    assert.match(out.results[0]!.response, /greeting/i);
    assert.ok(Date.now() - started < 3000, 'gave up within the configured timeout');
  });

  it('defers when the reply to the final dot never comes (data timeout)', async () => {
    const port = await startMute();
    const d = new SmtpDeliverer({ timeouts: { dataMs: 300 } });
    opened.push(d);
    const out = await d.deliver(job({ port }, { recipients: ['x@example.net', 'y@example.net'] }));
    assert.deepEqual(out.results.map((r) => [r.status, r.response]), [
      ['deferred', 'timeout: no reply from the next hop within 300 ms'],
      ['deferred', 'timeout: no reply from the next hop within 300 ms'],
    ]);
  });

  it('close() ends a transaction in flight: its recipients are deferred at once', async () => {
    const port = await startMute();
    const d = new SmtpDeliverer();
    const pending = d.deliver(job({ port }));
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await d.close();
    const out = await pending;
    assert.equal(out.results[0]!.status, 'deferred');
    assert.ok(Date.now() - started < 2000);
  });

  it('defers hops that are not its own (mx is the MxDeliverer\'s) and refuses nothing', async () => {
    const d = new SmtpDeliverer();
    opened.push(d);
    const out = await d.deliver({ ...job({ port: 1 }), hop: parseNextHop('mx') });
    assert.deepEqual(out.results.map((r) => [r.status, r.response]), [['deferred', 'mx is not an SMTP next hop']]);
    assert.equal(out.hop, 'mx');
  });
});
