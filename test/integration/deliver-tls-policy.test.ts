/**
 * Outbound TLS policies against real sinks (one with a certificate from a test CA for
 * mx.tls.test, one without STARTTLS, one self-signed, one whose STARTTLS handshake breaks) and a
 * local DNS server: verify, secure, encrypt, none, may, fingerprint, and relay hops.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DnsMxResolver, MxDeliverer, parseNextHop, SmtpDeliverer, type DeliveryJob, type MxDelivererOptions, type TlsPolicyEntry } from '../../src/deliver/index.js';
import { startDnsServer, type DnsServer } from '../helpers/dns-server.js';
import { startSink, testCertificate, type Sink } from '../helpers/sink.js';
import { createTestCa, type IssuedCert, type TestCa } from '../helpers/test-ca.js';

const BODY = Buffer.from('From: a@example.test\r\nSubject: tls policy\r\n\r\nhello\r\n');
const job = (rcpt: string, hop = 'mx'): DeliveryJob => ({ hop: parseNextHop(hop), sender: 'a@example.test', recipients: [rcpt], body: BODY, messageId: 'T1', queueIds: ['Q1'] });
const mx = (...hosts: Array<[number, string]>) => ({ MX: hosts.map(([preference, exchange]) => ({ preference, exchange })) });

/** Announces STARTTLS, then answers the handshake with garbage; plaintext sessions deliver. */
async function brokenStarttlsServer(host: string, port: number): Promise<{ connections: number; delivered: number; close(): Promise<void> }> {
  const state = { connections: 0, delivered: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let inData = false;
    socket.write('220 broken.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      for (let at = buffer.indexOf('\r\n'); at >= 0; at = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            state.delivered++;
            socket.write('250 queued\r\n');
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-broken.test\r\n250-STARTTLS\r\n250 8BITMIME\r\n');
        else if (verb === 'STAR') {
          socket.write('220 go ahead\r\n');
          socket.end('this is not a TLS record\r\n');
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    get connections() {
      return state.connections;
    },
    get delivered() {
      return state.delivered;
    },
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('outbound TLS policies', () => {
  let ca: TestCa;
  let mxCert: IssuedCert;
  let dns: DnsServer;
  let caSink: Sink; // 127.0.0.2, certificate for mx.tls.test from the test CA
  let plain: Sink; // 127.0.0.3, no STARTTLS
  let self: Sink; // 127.0.0.4, self-signed "localhost"
  let broken: Awaited<ReturnType<typeof brokenStarttlsServer>>; // 127.0.0.5
  const opened: Array<{ close(): Promise<void> }> = [];
  const deliverer = (policies: TlsPolicyEntry[], over: Partial<MxDelivererOptions> = {}): MxDeliverer => {
    const d = new MxDeliverer({ resolver: new DnsMxResolver({ servers: [dns.address], timeoutMs: 500, tries: 1 }), port: caSink.port, timeouts: { connectMs: 2000, greetingMs: 2000 }, ...over, tls: { ...over.tls, policies } });
    opened.push(d);
    return d;
  };
  const withCa = { tls: { ca: '' } };

  before(async () => {
    ca = await createTestCa();
    mxCert = await ca.issue(['mx.tls.test']);
    withCa.tls.ca = ca.cert;
    dns = await startDnsServer({
      'tls.test': mx([10, 'mx.tls.test']),
      'mx.tls.test': { A: ['127.0.0.2'] },
      'other.test': mx([10, 'mx.tls.test']),
      'plain.test': mx([10, 'mx.plain.test']),
      'mx.plain.test': { A: ['127.0.0.3'] },
      'failover.test': mx([10, 'mx.plain.test'], [20, 'mx.tls.test']),
      'self.test': mx([10, 'mx.self.test']),
      'mx.self.test': { A: ['127.0.0.4'] },
      'broken.test': mx([10, 'mx.broken.test']),
      'mx.broken.test': { A: ['127.0.0.5'] },
    });
    caSink = await startSink({ tls: true, certificate: mxCert, host: '127.0.0.2' });
    plain = await startSink({ host: '127.0.0.3', port: caSink.port });
    self = await startSink({ tls: true, host: '127.0.0.4', port: caSink.port });
    broken = await brokenStarttlsServer('127.0.0.5', caSink.port);
  });
  after(async () => {
    for (const d of opened) await d.close();
    for (const s of [caSink, plain, self, broken]) await s?.close();
    await dns?.close();
    await ca?.close();
  });

  it('verify passes with the test CA, and records protocol, cipher, verified, level and fingerprint', async () => {
    const out = await deliverer([{ domain: 'tls.test', level: 'verify' }], withCa).deliver(job('r@tls.test'));
    assert.equal(out.results[0]!.status, 'delivered', out.results[0]!.response);
    assert.match(out.tls?.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok((out.tls?.cipher ?? '').length > 0);
    assert.deepEqual({ verified: out.tls?.verified, policy: out.tls?.policy, fingerprint: out.tls?.fingerprint }, { verified: true, policy: 'verify', fingerprint: mxCert.fingerprint256 });
    assert.equal(caSink.messages.at(-1)!.tls, true);
  });

  it('verify fails (deferred 4.7.5, nothing sent) when the CA is not trusted', async () => {
    const count = caSink.messages.length;
    const out = await deliverer([{ domain: 'tls.test', level: 'verify' }]).deliver(job('r@tls.test'));
    assert.deepEqual(out.results.map((r) => [r.status, r.enhanced]), [['deferred', '4.7.5']]);
    assert.match(out.results[0]!.response, /^TLS certificate of mx\.tls\.test\[127\.0\.0\.2\]:\d+ not verified: .+ \(policy verify\)$/);
    assert.deepEqual({ verified: out.tls?.verified, policy: out.tls?.policy }, { verified: false, policy: 'verify' });
    assert.equal(caSink.messages.length, count);
  });

  it('verify checks the MX host name; secure checks the next-hop domain (or a subdomain of it)', async () => {
    const policies: TlsPolicyEntry[] = [{ domain: 'tls.test', level: 'secure' }, { domain: 'other.test', level: 'verify' }];
    const d = deliverer(policies, withCa);
    assert.equal((await d.deliver(job('r@tls.test'))).results[0]!.status, 'delivered', 'mx.tls.test is below tls.test');
    assert.equal((await d.deliver(job('r@other.test'))).results[0]!.status, 'delivered', 'verify: the MX name matches');
    const count = caSink.messages.length;
    const out = await deliverer([{ domain: 'other.test', level: 'secure' }], withCa).deliver(job('r@other.test'));
    assert.deepEqual(out.results.map((r) => [r.status, r.enhanced]), [['deferred', '4.7.5']]);
    assert.match(out.results[0]!.response, /does not match other\.test or its subdomains \(policy secure\)$/);
    assert.equal(caSink.messages.length, count);
  });

  it('encrypt defers on a server without STARTTLS, never sending plaintext; another MX with TLS is used', async () => {
    const count = plain.messages.length;
    const d = deliverer([{ domain: 'plain.test', level: 'encrypt' }, { domain: 'failover.test', level: 'encrypt' }]);
    const out = await d.deliver(job('r@plain.test'));
    assert.deepEqual(out.results.map((r) => [r.status, r.enhanced]), [['deferred', '4.7.4']]);
    assert.equal(out.results[0]!.response, `TLS required but not offered by mx.plain.test[127.0.0.3]:${plain.port} (policy encrypt)`);
    assert.equal(plain.messages.length, count);
    const over = await d.deliver(job('r@failover.test'));
    assert.equal(over.results[0]!.status, 'delivered');
    assert.equal(over.remote, `mx.tls.test[127.0.0.2]:${caSink.port}`);
    assert.deepEqual({ verified: over.tls?.verified, policy: over.tls?.policy }, { verified: false, policy: 'encrypt' });
    assert.equal(plain.messages.length, count);
  });

  it('none sends in plaintext even when STARTTLS is offered', async () => {
    const out = await deliverer([{ domain: 'tls.test', level: 'none' }]).deliver(job('r@tls.test'));
    assert.equal(out.results[0]!.status, 'delivered');
    assert.equal(out.tls, null);
    assert.equal(caSink.messages.at(-1)!.tls, false);
  });

  it('may (no policy) uses STARTTLS when offered and records whether it verified', async () => {
    const selfSigned = await deliverer([]).deliver(job('r@self.test'));
    assert.equal(selfSigned.results[0]!.status, 'delivered');
    assert.deepEqual({ verified: selfSigned.tls?.verified, policy: selfSigned.tls?.policy }, { verified: false, policy: 'may' });
    const trusted = await deliverer([], withCa).deliver(job('r@tls.test'));
    assert.deepEqual({ verified: trusted.tls?.verified, policy: trusted.tls?.policy }, { verified: true, policy: 'may' });
    const plaintext = await deliverer([]).deliver(job('r@plain.test'));
    assert.equal(plaintext.results[0]!.status, 'delivered');
    assert.equal(plaintext.tls, null);
  });

  it('fingerprint passes for a pinned certificate without any CA, and defers for another', async () => {
    const pinned = new X509Certificate((await testCertificate()).cert).fingerprint256;
    const colon = await deliverer([{ domain: 'self.test', level: 'fingerprint', fingerprints: [mxCert.fingerprint256, pinned] }]).deliver(job('r@self.test'));
    assert.equal(colon.results[0]!.status, 'delivered', colon.results[0]!.response);
    assert.deepEqual({ verified: colon.tls?.verified, policy: colon.tls?.policy }, { verified: true, policy: 'fingerprint' });
    const hex = await deliverer([{ domain: 'self.test', level: 'fingerprint', fingerprints: [pinned.replace(/:/g, '').toLowerCase()] }]).deliver(job('r@self.test'));
    assert.equal(hex.results[0]!.status, 'delivered');
    const count = self.messages.length;
    const wrong = await deliverer([{ domain: 'self.test', level: 'fingerprint', fingerprints: [mxCert.fingerprint256] }]).deliver(job('r@self.test'));
    assert.deepEqual(wrong.results.map((r) => [r.status, r.enhanced]), [['deferred', '4.7.5']]);
    assert.match(wrong.results[0]!.response, /^TLS certificate of mx\.self\.test\[127\.0\.0\.4\]:\d+ \(SHA-256 [0-9A-F:]{95}\) matches no pinned fingerprint \(policy fingerprint\)$/);
    assert.equal(self.messages.length, count);
  });

  it('may retries in plaintext after a failed handshake; encrypt defers instead', async () => {
    const before = { connections: broken.connections, delivered: broken.delivered };
    const may = await deliverer([]).deliver(job('r@broken.test'));
    assert.equal(may.results[0]!.status, 'delivered', may.results[0]!.response);
    assert.equal(may.tls, null);
    assert.deepEqual({ connections: broken.connections - before.connections, delivered: broken.delivered - before.delivered }, { connections: 2, delivered: 1 });
    const enc = await deliverer([{ domain: 'broken.test', level: 'encrypt' }]).deliver(job('r@broken.test'));
    assert.deepEqual(enc.results.map((r) => [r.status, r.enhanced]), [['deferred', '4.7.5']]);
    assert.match(enc.results[0]!.response, /^TLS handshake with mx\.broken\.test\[127\.0\.0\.5\]:\d+ failed: /);
    assert.deepEqual({ connections: broken.connections - before.connections, delivered: broken.delivered - before.delivered }, { connections: 3, delivered: 1 });
  });

  it('relay hops take the policy of their host name', async () => {
    const d = new SmtpDeliverer({ tls: { policies: [{ domain: '127.0.0.3', level: 'encrypt' }, { domain: '127.0.0.4', level: 'fingerprint', fingerprints: [mxCert.fingerprint256] }] } });
    opened.push(d);
    const count = plain.messages.length;
    const refused = await d.deliver(job('r@remote.test', `smtp://127.0.0.3:${plain.port}`));
    assert.equal(refused.results[0]!.response, `TLS required but not offered by 127.0.0.3:${plain.port} (policy encrypt)`);
    assert.equal(plain.messages.length, count);
    const pinnedWrong = await d.deliver(job('r@remote.test', `smtps://127.0.0.4:${self.port}`));
    assert.equal(pinnedWrong.results[0]!.status, 'deferred');
    const other = await d.deliver(job('r@remote.test', `smtp://127.0.0.2:${caSink.port}`));
    assert.deepEqual([other.results[0]!.status, other.tls?.policy], ['delivered', 'may']);
  });
});
