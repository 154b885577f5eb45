/**
 * The portal's whole path with nothing stubbed: an SMTP message to a keyless external recipient
 * enters the gateway → the portal method deposits it → the notification arrives at the SMTP sink
 * → the recipient follows the link in headless Chromium, registers, reads the message, downloads
 * the attachment and replies → the reply passes the inbound pipeline and arrives at the internal
 * mail server (the same sink) from the system address with Reply-To the recipient; a password
 * reset link travels the real notice path too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import nodemailer from 'nodemailer';
import { closeBrowser, newPage } from '../helpers/browser.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { startSink, type Sink } from '../helpers/sink.js';
import { parseMessageView } from '../../src/portal/web/mime-view.js';

let gw: TestGateway;
let sink: Sink;

before(async () => {
  sink = await startSink();
  gw = await startGateway(
    [
      `relay: { outbound: "smtp://127.0.0.1:${sink.port}", inbound: "smtp://127.0.0.1:${sink.port}" }`,
      'portal: { enabled: true, listen: "127.0.0.1:0", baseUrl: "https://localhost:8443" }',
      'profiles: { default: { order: [portal], portal: { allowReply: true, readReceipts: true } } }',
      '',
    ].join('\n'),
  );
});
after(async () => {
  await closeBrowser();
  await gw.close();
  await sink.close();
});

const ORIGINAL = [
  'From: Alice <alice@example.test>',
  'To: Bob <bob@partner.test>',
  'Subject: [secure] Contract draft',
  'Message-ID: <contract-1@example.test>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="xx"',
  '',
  '--xx',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Dear Bob, the <b>contract draft</b> is attached.</p>',
  '--xx',
  'Content-Type: application/pdf; name="contract.pdf"',
  'Content-Disposition: attachment; filename="contract.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1.7 contract body').toString('base64'),
  '--xx--',
  '',
].join('\r\n');

test('SMTP → deposit → notice at the sink → link → register → read, download → reply reaches the internal sink', async () => {
  assert.ok(gw.app.portal.url, 'the portal listens');
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: gw.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: 'alice@example.test', to: ['bob@partner.test'] }, raw: ORIGINAL }).finally(() => transport.close());

  await sink.waitFor(1, 20_000);
  const notice = sink.messages.find((m) => m.to.includes('bob@partner.test'))!;
  assert.ok(notice, 'the recipient got a notice');
  const noticeText = notice.body.toString('latin1');
  assert.match(noticeText, /X-Sealpost-Notification: portal-message/);
  assert.doesNotMatch(noticeText, /contract draft<\/b>|%PDF|JVBERi0xLjcgY29udHJhY3Q/, 'neither the body nor the attachment travels in the notice');
  const view = parseMessageView(notice.body);
  const link = /https:\/\/localhost:\d+\/m\/[A-Za-z0-9_-]{20,}/.exec(`${view.text ?? ''}\n${view.html ?? ''}`)?.[0];
  assert.ok(link, 'the notice carries a portal link');
  assert.ok(link.startsWith(gw.app.portal.url!), 'the link points at the running portal');
  assert.doesNotMatch(link, /bob|partner/i, 'the link carries no address');

  const { page, context } = await newPage();
  try {
    await page.goto(link);
    await page.getByRole('button', { name: 'Open my secure message' }).click();
    await page.getByLabel('New password').fill('harbour violet engine 23');
    await page.getByLabel('Repeat the password').fill('harbour violet engine 23');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/messages/*');
    assert.equal(await page.locator('h1').textContent(), 'Contract draft', 'the [secure] tag was stripped before the deposit');
    const frame = page.frameLocator('iframe.mail');
    assert.equal(await frame.locator('b').textContent(), 'contract draft');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /contract\.pdf/ }).click()]);
    assert.equal(download.suggestedFilename(), 'contract.pdf');
    assert.equal((await readFile((await download.path())!)).toString(), '%PDF-1.7 contract body');

    const before = sink.messages.length;
    await page.getByRole('link', { name: 'Reply', exact: true }).click();
    await page.getByLabel('Message').fill('Signed version follows. Bob');
    await page.getByLabel('Attachments (optional)').setInputFiles({ name: 'signed.txt', mimeType: 'text/plain', buffer: Buffer.from('signed by bob') });
    await page.getByRole('button', { name: 'Send securely' }).click();
    await page.waitForURL('**/sent?done=1');
    assert.match(await page.locator('table.list').textContent() ?? '', /Re: Contract draft/);

    const deadline = Date.now() + 20_000;
    let reply: (typeof sink.messages)[number] | undefined;
    while (!reply && Date.now() < deadline) {
      reply = sink.messages.slice(before).find((m) => m.to.includes('alice@example.test') && /Signed version follows/.test(parseMessageView(m.body).text ?? ''));
      if (!reply) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(reply, 'the reply arrived at the internal mail server');
    const headers = reply.body.toString('latin1').split(/\r\n\r\n/)[0]!;
    assert.match(headers, /^Reply-To:.*bob@partner\.test/im);
    assert.match(headers, /^In-Reply-To: <contract-1@example\.test>/im);
    assert.match(headers, /^X-Sealpost-Processed: [^;]+; inbound;/m, 'it went through the inbound pipeline');
    const replyView = parseMessageView(reply.body);
    assert.equal(replyView.subject, 'Re: Contract draft');
    assert.equal(replyView.attachments.find((a) => a.filename === 'signed.txt')?.data.toString(), 'signed by bob');

    // readReceipts: the sender heard about the first read
    const receipt = sink.messages.find((m) => m.to.includes('alice@example.test') && /X-Sealpost-Notification: read-receipt/.test(m.body.toString('latin1')));
    assert.ok(receipt, 'a read receipt went to the sender');

    // password reset through the real notice path: the link arrives at the recipient's mailbox
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL('**/login');
    const beforeReset = sink.messages.length;
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('E-mail address').fill('bob@partner.test');
    await page.getByRole('button', { name: 'Send the link' }).click();
    let resetLink: string | undefined;
    for (const until = Date.now() + 20_000; !resetLink && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      const notice = sink.messages.slice(beforeReset).find((m) => m.to.includes('bob@partner.test'));
      if (notice) {
        const v = parseMessageView(notice.body);
        resetLink = /https:\/\/localhost:\d+\/reset\/[A-Za-z0-9_-]{20,}/.exec(`${v.text ?? ''}\n${v.html ?? ''}`)?.[0];
      }
    }
    assert.ok(resetLink, 'the reset link arrived by mail');
    await page.goto(resetLink);
    await page.getByLabel('New password').fill('brand new pebble song 8');
    await page.getByLabel('Repeat the password').fill('brand new pebble song 8');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/login?done=reset');
    await page.getByLabel('E-mail address').fill('bob@partner.test');
    await page.getByLabel('Password').fill('brand new pebble song 8');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/inbox');
    assert.match(await page.locator('main').textContent() ?? '', /Contract draft/);
  } finally {
    await context.close();
  }
});
