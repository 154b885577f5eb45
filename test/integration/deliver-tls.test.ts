/**
 * SmtpDeliverer: STARTTLS (opportunistic and required), AUTH, implicit TLS, session reuse,
 * the per-destination cap, SMTPUTF8, and a server without PIPELINING.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseNextHop, SmtpDeliverer, type DeliveryJob, type SmtpHop } from '../../src/deliver/index.js';
import { startSink, type Sink } from '../helpers/sink.js';

const BODY = Buffer.from('From: a@example.test\r\nSubject: tls\r\n\r\nhello\r\n');

function job(spec: string, over: Partial<DeliveryJob> = {}): DeliveryJob {
  return { hop: parseNextHop(spec), sender: 'a@example.test', recipients: ['b@example.net'], body: BODY, messageId: 'M2', queueIds: ['Q2'], ...over };
}

describe('SmtpDeliverer: TLS, AUTH and pooling', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  const track = <T extends { close(): Promise<void> }>(x: T): T => {
    opened.push(x);
    return x;
  };
  const sinkWith = async (o: Parameters<typeof startSink>[0]): Promise<Sink> => track(await startSink(o));
  after(async () => {
    for (const c of opened.reverse()) await c.close();
  });

  it('uses STARTTLS when offered on smtp://, recording that the certificate is not verified', async () => {
    const sink = await sinkWith({ tls: true });
    const d = track(new SmtpDeliverer());
    const out = await d.deliver(job(`smtp://127.0.0.1:${sink.port}`));
    assert.equal(out.results[0]!.status, 'delivered');
    assert.ok(out.tls, 'tls recorded');
    assert.match(out.tls.protocol, /^TLSv1\.[23]$/);
    assert.ok(out.tls.cipher.length > 0);
    assert.equal(out.tls.verified, false);
    assert.equal(sink.messages[0]!.tls, true);
    assert.deepEqual(sink.messages[0]!.body, BODY);
  });

  it('records verified=true when the certificate chains to a configured CA and matches the host', async () => {
    const sink = await sinkWith({ tls: true });
    const d = track(new SmtpDeliverer({ tls: { ca: sink.cert! } }));
    const out = await d.deliver(job(`smtp://127.0.0.1:${sink.port}`));
    assert.equal(out.tls?.verified, true);
  });

  it('submission:// authenticates over STARTTLS with URL-decoded credentials', async () => {
    const sink = await sinkWith({ tls: true, auth: { user: 'relay@example.test', pass: 'p@ss:w/rd' } });
    const d = track(new SmtpDeliverer({ tls: { ca: sink.cert! } }));
    const spec = `submission://relay%40example.test:p%40ss%3Aw%2Frd@127.0.0.1:${sink.port}`;
    const out = await d.deliver(job(spec));
    assert.equal(out.results[0]!.status, 'delivered', out.results[0]!.response);
    assert.equal(out.hop, `submission://relay%40example.test@127.0.0.1:${sink.port}`);
    assert.ok(!JSON.stringify(out).includes('p@ss'), 'no password in the outcome');
    assert.equal(sink.messages[0]!.authUser, 'relay@example.test');
    assert.equal(sink.messages[0]!.tls, true);
    assert.equal(out.tls?.verified, true);
  });

  it('submission:// defers on a wrong password (535) instead of bouncing; logs carry context, not the password', async () => {
    const sink = await sinkWith({ tls: true, auth: { user: 'u', pass: 'right' } });
    const logged: object[] = [];
    const logger = { debug: (o: object) => logged.push(o), warn: (o: object) => logged.push(o) };
    const d = track(new SmtpDeliverer({ tls: { ca: sink.cert! }, logger }));
    const out = await d.deliver(job(`submission://u:wr0ngpass@127.0.0.1:${sink.port}`));
    assert.equal(out.results[0]!.status, 'deferred');
    assert.match(out.results[0]!.response, /^authentication failed: 535/);
    assert.equal(out.tls?.verified, true, 'TLS facts are kept for a failed session');
    assert.equal(sink.messages.length, 0);
    assert.equal(logged.length, 1);
    assert.deepEqual({ ...logged[0], err: undefined }, { err: undefined, messageId: 'M2', queueId: 'Q2', stage: 'deliver', hop: `submission://u@127.0.0.1:${sink.port}`, status: 'deferred' });
    assert.ok(!JSON.stringify(logged).includes('wr0ngpass') && !JSON.stringify(out).includes('wr0ngpass'));
  });

  it('submission:// never sends without STARTTLS, and refuses an unverifiable certificate', async () => {
    const plain = await sinkWith({ auth: { user: 'u', pass: 'p' } });
    const d = track(new SmtpDeliverer());
    const a = await d.deliver(job(`submission://u:p@127.0.0.1:${plain.port}`));
    assert.equal(a.results[0]!.status, 'deferred');
    assert.equal(a.results[0]!.response, `TLS required but not offered by 127.0.0.1:${plain.port} (policy verify)`);
    assert.equal(a.results[0]!.enhanced, '4.7.4');
    const selfSigned = await sinkWith({ tls: true, auth: { user: 'u', pass: 'p' } });
    const b = await d.deliver(job(`submission://u:p@127.0.0.1:${selfSigned.port}`)); // no CA given
    assert.equal(b.results[0]!.status, 'deferred');
    assert.match(b.results[0]!.response, /^TLS certificate of 127\.0\.0\.1:\d+ not verified: self.signed.* \(policy verify\)$/i);
    assert.equal(b.tls?.verified, false);
    assert.equal(b.tls?.policy, 'verify');
    assert.equal(plain.messages.length + selfSigned.messages.length, 0);
  });

  it('smtps:// speaks TLS from the first byte', async () => {
    const sink = await sinkWith({ secure: true });
    const d = track(new SmtpDeliverer({ tls: { ca: sink.cert! } }));
    const out = await d.deliver(job(`smtps://127.0.0.1:${sink.port}`));
    assert.equal(out.results[0]!.status, 'delivered', out.results[0]!.response);
    assert.equal(out.tls?.verified, true);
    assert.equal(sink.messages[0]!.tls, true);
  });

  it('reuses one authenticated session for consecutive jobs (RSET in between)', async () => {
    const sink = await sinkWith({ tls: true, auth: { user: 'u', pass: 'p' } });
    const d = track(new SmtpDeliverer({ tls: { ca: sink.cert! } }));
    const spec = `submission://u:p@127.0.0.1:${sink.port}`;
    for (let i = 0; i < 3; i++) assert.equal((await d.deliver(job(spec, { messageId: `M${i}` }))).results[0]!.status, 'delivered');
    assert.equal(sink.messages.length, 3);
    assert.equal(sink.connections, 1);
    assert.deepEqual(sink.messages.map((m) => m.connection), [1, 1, 1]);
    assert.deepEqual(d.stats(parseNextHop(spec) as SmtpHop), { active: 0, idle: 1, waiting: 0 });
    await d.close();
    assert.equal(d.stats(parseNextHop(spec) as SmtpHop).idle, 0);
    const late = await d.deliver(job(spec));
    assert.equal(late.results[0]!.status, 'deferred');
    assert.equal(late.results[0]!.response, 'deliverer is closed');
  });

  it('closes idle sessions after idleTimeoutMs', async () => {
    const sink = await sinkWith({});
    const d = track(new SmtpDeliverer({ idleTimeoutMs: 100 }));
    const spec = `smtp://127.0.0.1:${sink.port}`;
    await d.deliver(job(spec));
    assert.equal(d.stats(parseNextHop(spec) as SmtpHop).idle, 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(d.stats(parseNextHop(spec) as SmtpHop).idle, 0);
    await d.deliver(job(spec));
    assert.deepEqual(sink.messages.map((m) => m.connection), [1, 2]);
  });

  it('retires a session after maxMessagesPerConnection', async () => {
    const sink = await sinkWith({});
    const d = track(new SmtpDeliverer({ maxMessagesPerConnection: 2 }));
    const spec = `smtp://127.0.0.1:${sink.port}`;
    for (let i = 0; i < 3; i++) await d.deliver(job(spec));
    assert.deepEqual(sink.messages.map((m) => m.connection), [1, 1, 2]);
  });

  it('opens a new session when the peer dropped the idle one (not a delivery failure)', async () => {
    const sink = await sinkWith({ idleTimeoutMs: 300 }); // more than smtp-server's 100 ms greeting delay
    const d = track(new SmtpDeliverer());
    const spec = `smtp://127.0.0.1:${sink.port}`;
    assert.equal((await d.deliver(job(spec))).results[0]!.status, 'delivered');
    await new Promise((r) => setTimeout(r, 700));
    assert.equal((await d.deliver(job(spec))).results[0]!.status, 'delivered');
    assert.deepEqual(sink.messages.map((m) => m.connection), [1, 2]);
  });

  it('caps simultaneous sessions per destination', async () => {
    let inData = 0;
    let peak = 0;
    const sink = await sinkWith({
      onRcpt: () => {
        peak = Math.max(peak, ++inData);
        return null;
      },
      onData: () => {
        inData--;
        return null;
      },
    });
    const d = track(new SmtpDeliverer({ concurrencyPerHop: 2 }));
    const outs = await Promise.all(Array.from({ length: 6 }, (_, i) => d.deliver(job(`smtp://127.0.0.1:${sink.port}`, { messageId: `C${i}` }))));
    assert.ok(outs.every((o) => o.results[0]!.status === 'delivered'));
    assert.equal(sink.messages.length, 6);
    assert.ok(peak <= 2, `peak ${peak} concurrent transactions`);
    assert.ok(sink.connections <= 2, `${sink.connections} connections`);
  });

  it('bounces only non-ASCII recipients when the next hop lacks SMTPUTF8, and uses it when offered', async () => {
    const without = await sinkWith({ hideSmtpUtf8: true });
    const withUtf8 = await sinkWith({});
    const d = track(new SmtpDeliverer());
    const rcpts = ['ascii@example.net', 'jöran@example.net'];
    const a = await d.deliver(job(`smtp://127.0.0.1:${without.port}`, { recipients: rcpts }));
    assert.deepEqual(a.results.map((r) => [r.status, r.enhanced]), [['delivered', '2.0.0'], ['bounced', '5.6.7']]);
    assert.deepEqual(without.messages[0]!.to, ['ascii@example.net']);
    const b = await d.deliver(job(`smtp://127.0.0.1:${withUtf8.port}`, { recipients: rcpts }));
    assert.deepEqual(b.results.map((r) => r.status), ['delivered', 'delivered']);
    assert.equal(withUtf8.messages[0]!.smtpUtf8, true);
    assert.deepEqual(withUtf8.messages[0]!.to, rcpts);
  });

  it('keeps per-recipient replies on a server without PIPELINING', async () => {
    const sink = await sinkWith({ hidePipelining: true, onRcpt: (a) => (a.startsWith('no') ? '550 5.1.1 unknown' : a.startsWith('later') ? '452 4.2.2 full' : null) });
    const d = track(new SmtpDeliverer());
    const out = await d.deliver(job(`smtp://127.0.0.1:${sink.port}`, { recipients: ['no@x.test', 'yes@x.test', 'later@x.test'] }));
    assert.deepEqual(out.results.map((r) => r.status), ['bounced', 'delivered', 'deferred']);
    const all = await d.deliver(job(`smtp://127.0.0.1:${sink.port}`, { recipients: ['no@x.test', 'later@x.test'] }));
    assert.deepEqual(all.results.map((r) => r.status), ['bounced', 'deferred']);
    // the session survived the refused transaction and is reused after RSET
    assert.equal((await d.deliver(job(`smtp://127.0.0.1:${sink.port}`))).results[0]!.status, 'delivered');
    assert.equal(sink.connections, 1);
  });

  it('bounces locally when the body exceeds the announced SIZE', async () => {
    const sink = await sinkWith({ size: 20 });
    const d = track(new SmtpDeliverer());
    const out = await d.deliver(job(`smtp://127.0.0.1:${sink.port}`));
    assert.equal(out.results[0]!.status, 'bounced');
    assert.equal(out.results[0]!.enhanced, '5.3.4');
    assert.equal(sink.messages.length, 0);
  });
});
