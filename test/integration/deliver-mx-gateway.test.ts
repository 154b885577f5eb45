/**
 * Direct delivery end to end: SMTP client → gateway (in-process, `relay.outbound: mx`, local DNS
 * server, TLS policies with a test CA as `delivery.tls.caFile`) → real sinks on loopback; the
 * queue records what happened per recipient as `sealpost queue show` prints it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import nodemailer from 'nodemailer';
import { queueShow } from '../../src/cli/queue.js';
import { openDatabase } from '../../src/db/open.js';
import { createStores } from '../../src/db/stores.js';
import type { QueueItem } from '../../src/queue/types.js';
import { startDnsServer } from '../helpers/dns-server.js';
import { startGateway } from '../helpers/gateway.js';
import { startSink } from '../helpers/sink.js';
import { createTestCa } from '../helpers/test-ca.js';

const FINAL = new Set(['delivered', 'bounced', 'expired', 'deleted']);

test('relay.outbound mx: delivers over verified TLS by MX, bounces a null MX, defers a required TLS that is not offered', async (t) => {
  const ca = await createTestCa();
  t.after(() => ca.close());
  const tlsSink = await startSink({ tls: true, certificate: await ca.issue(['mx.partner.test']), host: '127.0.0.1' });
  t.after(() => tlsSink.close());
  const plainSink = await startSink({ host: '127.0.0.2', port: tlsSink.port });
  t.after(() => plainSink.close());
  const dns = await startDnsServer({
    'partner.test': { MX: [{ preference: 10, exchange: 'mx.partner.test' }] },
    'mx.partner.test': { A: ['127.0.0.1'] },
    'nullmx.test': { MX: [{ preference: 0, exchange: '.' }] },
    'strict.test': { MX: [{ preference: 10, exchange: 'mx.strict.test' }] },
    'mx.strict.test': { A: ['127.0.0.2'] },
  });
  t.after(() => dns.close());

  const gw = await startGateway(
    [
      'relay: { outbound: mx, inbound: capture }',
      'delivery:',
      '  retry: [30s]',
      `  mxPort: ${tlsSink.port}`,
      `  dns: { servers: ["${dns.address}"], timeout: 500ms, tries: 1 }`,
      '  tls:',
      `    caFile: ${JSON.stringify(ca.certFile)}`,
      '    policies:',
      '      - { domain: partner.test, level: secure }',
      '      - { domain: strict.test, level: encrypt }',
      '',
    ].join('\n'),
  );
  t.after(() => gw.close());

  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: gw.port, secure: false, ignoreTLS: true });
  await transport
    .sendMail({ envelope: { from: 'alice@example.test', to: ['bob@partner.test', 'x@nullmx.test', 'carol@strict.test'] }, raw: 'From: alice@example.test\r\nSubject: direct\r\n\r\nhello by MX\r\n' })
    .finally(() => transport.close());
  await tlsSink.waitFor(1, 15_000);
  const got = tlsSink.messages[0]!;
  assert.deepEqual(got.to, ['bob@partner.test']);
  assert.equal(got.tls, true);
  assert.match(got.body.toString('utf8'), /hello by MX\r\n$/);

  const stores = await createStores(await openDatabase(`sqlite:${gw.dbFile}`));
  try {
    const byRecipient = new Map<string, QueueItem>();
    const deadline = Date.now() + 15_000;
    for (;;) {
      byRecipient.clear();
      for (const item of await stores.queue.list({ limit: 100 })) byRecipient.set(item.recipient, item);
      const bob = byRecipient.get('bob@partner.test');
      const nul = byRecipient.get('x@nullmx.test');
      const carol = byRecipient.get('carol@strict.test');
      if (bob && nul && carol && FINAL.has(bob.state) && FINAL.has(nul.state) && carol.attempts > 0) break;
      if (Date.now() > deadline) assert.fail(`queue did not settle: ${JSON.stringify([...byRecipient.values()].map((i) => [i.recipient, i.state, i.lastResponse]))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const bob = byRecipient.get('bob@partner.test')!;
    assert.equal(bob.state, 'delivered');

    // what `sealpost queue show --json` prints for it
    let shown: { lastDelivery?: { hop: string; remote?: string; tls: Record<string, unknown> | null } } = {};
    await queueShow(stores, { json: true, print: (_human, data) => (shown = data as typeof shown) }, bob.id);
    assert.equal(shown.lastDelivery?.hop, 'mx');
    assert.equal(shown.lastDelivery?.remote, `mx.partner.test[127.0.0.1]:${tlsSink.port}`);
    assert.equal(shown.lastDelivery?.tls?.verified, true);
    assert.equal(shown.lastDelivery?.tls?.policy, 'secure');
    assert.match(String(shown.lastDelivery?.tls?.protocol), /^TLSv1\.[23]$/);

    const nul = byRecipient.get('x@nullmx.test')!;
    assert.equal(nul.state, 'bounced');
    assert.match(nul.lastResponse ?? '', /^556 5\.1\.10 /);

    const carol = byRecipient.get('carol@strict.test')!;
    assert.equal(carol.state, 'deferred');
    assert.equal(carol.lastResponse, `TLS required but not offered by mx.strict.test[127.0.0.2]:${tlsSink.port} (policy encrypt)`);
    assert.equal(plainSink.messages.length, 0, 'never sent in plaintext');

    // the null MX bounce went to the sender as a DSN (inbound, to the capture hop)
    assert.ok([...byRecipient.values()].some((i) => i.kind === 'dsn' && i.recipient === 'alice@example.test'), 'a DSN for the null MX recipient');
  } finally {
    await stores.close();
  }
  assert.ok(dns.queries.includes('MX partner.test'));
});
