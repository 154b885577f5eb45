/**
 * DLP rules end to end over SMTP: a card number inside a PDF, a DOCX, an XLSX, and a ZIP inside a
 * forwarded message (message/rfc822) is found and the message held; the same kinds of files
 * without one pass. Documents come from the DLP helper's fixtures (pdfkit, python-docx, openpyxl).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { strToU8, zipSync } from 'fflate';
import { compose, fixture, pdfWithText } from '../fixtures/dlp/generate.js';
import { createStores, openDatabase } from '../../src/db/index.js';
import { startGateway } from '../helpers/gateway.js';
import { startSink } from '../helpers/sink.js';
import { latin1, quarantined, waitFor } from './policy-support.js';

async function send(port: number, to: string, raw: Buffer): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({ envelope: { from: 'alice@example.test', to: [to] }, raw });
  } finally {
    transport.close();
  }
}

test('a card number in a PDF, a DOCX, an XLSX, or a ZIP inside a forwarded message is held; clean files pass', async (t) => {
  const sink = await startSink();
  const gw = await startGateway(`relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }
policies:
  - name: cards
    if: { dlp: { detector: credit-card, where: [attachment] } }
    then: [ { quarantine: { reason: card number } } ]
`);
  t.after(async () => {
    await gw.close();
    await sink.close();
  });
  const zipped = Buffer.from(zipSync({ 'export/customers.csv': strToU8('name,card\nAlice,5500-0000-0000-0004\n') }));
  const forwarded = await compose({ subject: 'the export', text: 'see zip', attachments: [{ filename: 'export.zip', content: zipped }] });
  const held: Record<string, Buffer> = {
    'pdf@partner.test': await compose({ subject: 'pdf', text: 'invoice attached', attachments: [{ filename: 'invoice.pdf', content: await pdfWithText(['Invoice 2024-17', 'Paid with card 4111 1111 1111 1111']) }] }),
    'docx@partner.test': await compose({ subject: 'docx', text: 'letter attached', attachments: [{ filename: 'payments.docx', content: fixture('payments.docx') }] }),
    'xlsx@partner.test': await compose({ subject: 'xlsx', text: 'sheet attached', attachments: [{ filename: 'cards.xlsx', content: fixture('cards.xlsx') }] }),
    'rfc822@partner.test': await compose({ subject: 'fwd', text: 'forwarding', attachments: [{ filename: 'fwd.eml', content: forwarded, contentType: 'message/rfc822' }] }),
  };
  const clean: Record<string, Buffer> = {
    'cleanpdf@partner.test': await compose({ subject: 'clean pdf', text: 'card 4111 1111 1111 1111 in the body does not count here', attachments: [{ filename: 'a.pdf', content: await pdfWithText(['Invoice number 4111 1111 1111 1112']) }] }),
    'cleanzip@partner.test': await compose({ subject: 'clean zip', text: 'x', attachments: [{ filename: 'a.zip', content: Buffer.from(zipSync({ 'a.txt': strToU8('order 12345') })) }] }),
  };
  for (const [to, raw] of Object.entries({ ...held, ...clean })) await send(gw.port, to, raw);

  const entries = await waitFor('four held messages', async () => {
    const q = await quarantined(gw.dir);
    return q.length >= 4 ? q : null;
  }, 30_000);
  await sink.waitFor(2, 15_000);
  assert.deepEqual(entries.flatMap((e) => e.recipients).sort(), Object.keys(held).sort());
  for (const e of entries) {
    assert.equal(e.reason, 'card number');
    assert.ok(e.trace.some((x) => x.event === 'rule-matched' && /dlp credit-card: \d+ hit\(s\) \d{4} \*{4} \*{4} \d{4}/.test(x.detail ?? '')), `masked hit in the trace of ${e.recipients[0]}`);
  }
  assert.deepEqual(sink.messages.flatMap((m) => m.to).sort(), Object.keys(clean).sort(), 'only the clean messages were delivered');
  assert.ok(sink.messages.every((m) => /X-Sealpost-Processed/.test(latin1(m))));
  // the explain trace is stored with each processed message (what `queue show` prints)
  const stores = createStores(await openDatabase('sqlite:./data/sealpost.db', { baseDir: gw.dir }));
  try {
    const items = await stores.queue.list({ limit: 100 });
    assert.equal(items.length, 2);
    for (const item of items) {
      assert.ok(item.trace.some((x) => x.event === 'rule-not-matched' && /^cards \(gateway\)/.test(x.detail ?? '')), `rule trace stored for ${item.recipient}`);
      assert.ok(item.trace.some((x) => x.event === 'protection' && /none \(profile default\) decided by \(no rule matched\)/.test(x.detail ?? '')));
    }
  } finally {
    await stores.close();
  }
});
