/**
 * TLS instead of encryption (profile `tlsInsteadOfEncryption`, Cisco's table) through the whole
 * gateway: `preferred` sends the plaintext only over a verified TLS session and the S/MIME form
 * otherwise; a recipient no method serves waits for a verified session (never plaintext without
 * one); `required` never encrypts and never goes without verified TLS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { openQueue } from '../helpers/queue-view.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { smimeScenario } from '../helpers/smime-scenario.js';
import { createTestCa } from '../helpers/test-ca.js';

async function verifiedSink(t: { after(fn: () => Promise<void>): void }): Promise<Sink> {
  const sink = await startSink({ tls: true });
  t.after(() => sink.close());
  return sink;
}

const message = (to: string) => `From: alice@example.test\r\nTo: ${to}\r\nSubject: [secure] quarterly figures\r\nContent-Type: text/plain\r\n\r\nRevenue: 12 million.\r\n`;

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('preferred: plaintext over verified TLS, the S/MIME form over an unverified hop, and no plaintext without verified TLS', async (t) => {
  const tlsSink = await verifiedSink(t);
  const caFile = `/tmp/sealpost-tls-instead-${process.pid}.pem`;
  writeFileSync(caFile, tlsSink.cert!);
  // TLS, but with a certificate from a CA the gateway does not trust: encrypted, not verified
  const other = await createTestCa('Untrusted CA');
  t.after(() => other.close());
  const untrusted = await startSink({ tls: true, certificate: await other.issue(['127.0.0.1', 'localhost']) });
  t.after(() => untrusted.close());
  const s = await smimeScenario(t, `profiles: { default: { order: [smime, pgp], tlsInsteadOfEncryption: preferred, queueTimeout: 1h } }\ndelivery: { retry: [1h], tls: { caFile: "${caFile}" } }\n`, {
    routes: `{ domain: verified.test, to: "smtp://127.0.0.1:${tlsSink.port}" }, { domain: untrusted.test, to: "smtp://127.0.0.1:${untrusted.port}" }`,
  });
  await s.partner('bob@verified.test');
  await s.partner('carol@plain.test');
  await s.partner('fred@untrusted.test');

  await s.send('alice@example.test', ['bob@verified.test'], message('bob@verified.test'));
  await s.send('alice@example.test', ['eve@verified.test'], message('eve@verified.test'));
  await s.send('alice@example.test', ['carol@plain.test'], message('carol@plain.test'));
  await s.send('alice@example.test', ['dave@plain.test'], message('dave@plain.test'));
  await s.send('alice@example.test', ['fred@untrusted.test'], message('fred@untrusted.test'));

  await tlsSink.waitFor(2, 20_000);
  for (const rcpt of ['bob@verified.test', 'eve@verified.test']) {
    const got = tlsSink.messages.find((m) => m.to.includes(rcpt))!;
    assert.ok(got, `${rcpt} delivered over the verified hop`);
    assert.equal(got.tls, true);
    assert.match(got.body.toString(), /Revenue: 12 million\./, 'plaintext form over verified TLS');
    assert.match(got.body.toString(), /^X-Sealpost-Processed: /m, 'stamped like everything we emit');
    assert.match(got.body.toString(), /^Subject: quarterly figures\r$/m, 'the trigger tag is stripped from the plaintext form too');
  }

  await s.sink.waitFor(1, 20_000);
  const forCarol = s.sink.messages.find((m) => m.to.includes('carol@plain.test'))!;
  assert.equal(forCarol.tls, false);
  assert.match(forCarol.body.toString(), /application\/pkcs7-mime; smime-type=enveloped-data/);
  assert.doesNotMatch(forCarol.body.toString(), /Revenue/);
  writeFileSync(s.f('carol.eml'), forCarol.body);
  assert.match(s.decrypt('carol.eml', 'carol@plain.test').toString(), /Revenue: 12 million\./);

  await untrusted.waitFor(1, 20_000);
  assert.equal(untrusted.messages[0]!.tls, true, 'a TLS session, but not a verified one');
  assert.match(untrusted.messages[0]!.body.toString(), /smime-type=enveloped-data/);
  assert.doesNotMatch(untrusted.messages[0]!.body.toString(), /Revenue/);

  // Dave: no certificate, no verified TLS: held in the queue, never sent
  await until(async () => (await openQueue(s.gw)).some((i) => i.recipient === 'dave@plain.test' && i.state === 'deferred'));
  const dave = (await openQueue(s.gw)).find((i) => i.recipient === 'dave@plain.test')!;
  assert.match(dave.lastResponse ?? '', /verified TLS required/);
  assert.equal(dave.lastDelivery?.form, 'plaintext-over-verified-tls');
  assert.ok(!s.sink.messages.some((m) => m.to.includes('dave@plain.test')), 'never in plaintext over the unverified hop');
  const bob = (await openQueue(s.gw)).find((i) => i.recipient === 'bob@verified.test')!;
  assert.equal(bob.lastDelivery?.form, 'plaintext-over-verified-tls');
  assert.equal(bob.lastDelivery?.tls?.verified, true);
  const carol = (await openQueue(s.gw)).find((i) => i.recipient === 'carol@plain.test')!;
  assert.equal(carol.lastDelivery?.form, 'encrypted-fallback');
});

test('required: a recipient with a certificate still gets plaintext, and only over verified TLS', async (t) => {
  const tlsSink = await verifiedSink(t);
  const caFile = `/tmp/sealpost-tls-required-${process.pid}.pem`;
  writeFileSync(caFile, tlsSink.cert!);
  const s = await smimeScenario(t, `profiles: { default: { tlsInsteadOfEncryption: required } }\ndelivery: { retry: [1h], tls: { caFile: "${caFile}" } }\n`, {
    routes: `{ domain: verified.test, to: "smtp://127.0.0.1:${tlsSink.port}" }`,
  });
  await s.partner('bob@verified.test');
  await s.partner('carol@plain.test');
  await s.send('alice@example.test', ['bob@verified.test', 'carol@plain.test'], message('bob@verified.test, carol@plain.test'));
  await tlsSink.waitFor(1, 20_000);
  assert.match(tlsSink.messages[0]!.body.toString(), /Revenue: 12 million\./);
  await until(async () => (await openQueue(s.gw)).some((i) => i.recipient === 'carol@plain.test' && i.state === 'deferred'));
  assert.equal(s.sink.messages.length, 0, 'nothing over the unverified hop, not even the encrypted form');
});

test('a message over the profile maxSize is refused at once with an encryption-failure notice, never sent', async (t) => {
  const s = await smimeScenario(t, 'profiles: { default: { maxSize: 2KB, queueTimeout: 1d } }\n');
  await s.partner('bob@partner.test');
  const big = `From: alice@example.test\r\nTo: bob@partner.test\r\nSubject: [secure] big one\r\n\r\n${'Secret line of text.\r\n'.repeat(200)}`;
  await s.send('alice@example.test', ['bob@partner.test'], big);
  await s.sink.waitFor(1, 20_000);
  const notice = s.sink.messages[0]!;
  assert.deepEqual(notice.to, ['alice@example.test'], 'the sender is told, not the recipient');
  assert.match(notice.body.toString(), /^X-Sealpost-Notification: encryption-failed\r$/m);
  assert.doesNotMatch(notice.body.toString(), /Secret line/);
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!s.sink.messages.some((m) => m.to.includes('bob@partner.test')), 'nothing reaches Bob');
});
