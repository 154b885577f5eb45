/**
 * The `pdf` method through the whole gateway (SMTP in, real sink out), each password mode:
 * a `[secure]` message to a recipient with neither an S/MIME certificate nor a PGP key arrives as
 * an encrypted PDF (R6, checked with qpdf; text with pdftotext), and the password reaches the
 * sender (random-to-sender), nobody (static), or the recipient's phone via the SMS webhook (sms).
 * The PDF never opens without the password, and no plaintext crosses the wire.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayWithSink, type GatewayWithSink } from '../helpers/gateway.js';
import type { Sink, SinkMessage } from '../helpers/sink.js';
import { passwordFromNotice, pdfFromMessage, pdfTools } from '../helpers/pdf.js';

type Scenario = GatewayWithSink;

function scenario(t: { after(fn: () => Promise<void> | void): void }, extraYaml = ''): Promise<Scenario> {
  return gatewayWithSink(t, extraYaml);
}

const tools = pdfTools();
test.after(() => tools.cleanup());

const attachment = randomBytes(20_000);
const message = (to: string, subject = '[secure] Board minutes') =>
  Buffer.from(
    [
      'From: Alice <alice@example.test>',
      `To: ${to}`,
      `Subject: ${subject}`,
      'Message-ID: <pdf-test@example.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Confidential: the merger closes on Friday.',
      'Конфиденциально: сделка закрывается в пятницу.',
      'Εμπιστευτικό: η συγχώνευση κλείνει την Παρασκευή.',
      '機密：合併は金曜日に完了します。',
      '--b',
      'Content-Type: application/octet-stream; name="minutes.bin"',
      'Content-Disposition: attachment; filename="minutes.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b--',
      '',
    ].join('\r\n'),
    'utf8',
  );

async function waitForRecipients(sink: Sink, count: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (sink.messages.flatMap((m) => m.to).length < count) {
    if (Date.now() > until) throw new Error(`sink: ${sink.messages.flatMap((m) => m.to).length} of ${count} recipients after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const isNotice = (m: SinkMessage) => /^X-Sealpost-Notification: pdf-password\r?$/m.test(m.body.toString('latin1'));

function checkPdfMessage(m: SinkMessage, password: string): void {
  const text = m.body.toString('latin1');
  assert.doesNotMatch(text, /X-Sealpost-Notification/i, 'the PDF message is the message itself, not a notice');
  assert.match(text, /^Subject: Board minutes\r$/m, 'original subject kept, trigger tag stripped');
  assert.match(text, /^From: Alice <alice@example\.test>\r$/m);
  assert.match(text, /Content-Type: application\/pdf; name="message\.pdf"/);
  assert.doesNotMatch(text, /merger|Confidential/, 'no plaintext on the wire');
  const pdf = pdfFromMessage(m.body);
  assert.ok(pdf, 'a PDF is attached');
  const enc = tools.encryption(pdf, password);
  assert.equal(enc.R, 6);
  assert.equal(enc.V, 5);
  assert.equal(enc.userpasswordmatched, true);
  assert.notEqual(tools.tryDecrypt(pdf, 'WRONG').status, 0, 'a wrong password does not open it');
  assert.throws(() => tools.text(pdf), 'no password, no text');
  const body = tools.text(pdf, password);
  assert.match(body, /Confidential: the merger closes on Friday\./);
  assert.match(body, /Конфиденциально: сделка закрывается в пятницу\./);
  assert.match(body, /Εμπιστευτικό: η συγχώνευση κλείνει την Παρασκευή\./);
  assert.match(body, /機密：合併は金曜日に完了します。/);
  assert.ok(tools.attachment(pdf, password, 'minutes.bin').equals(attachment), 'the attachment comes out byte for byte');
}

test('random-to-sender (default): the recipient without S/MIME or PGP gets the PDF, the sender gets the password notice', async (t) => {
  const s = await scenario(t);
  await s.send('alice@example.test', ['bob@nocert.test'], message('bob@nocert.test'));
  await s.sink.waitFor(2, 30_000);
  const forBob = s.sink.messages.find((m) => m.to.includes('bob@nocert.test'))!;
  const notice = s.sink.messages.find((m) => m.to.includes('alice@example.test'))!;
  assert.ok(forBob && notice, 'one message each');
  assert.ok(isNotice(notice), 'the sender\'s copy is a pdf-password notice');
  assert.match(notice.body.toString('latin1'), /^Auto-Submitted: auto-generated\r$/m);
  assert.equal(notice.from, '', 'notices go out from the null sender');
  assert.doesNotMatch(notice.body.toString('latin1'), /merger/, 'the notice does not carry the content');
  const password = passwordFromNotice(notice.body);
  assert.ok(password && /^[0-9a-z]{5}(-[0-9a-z]{5}){3}$/.test(password), `a generated password: ${password}`);
  assert.doesNotMatch(forBob.body.toString('latin1'), new RegExp(password), 'the recipient\'s message does not carry the password');
  assert.match(forBob.body.toString('latin1'), /The password was sent to alice@example\.test separately/);
  checkPdfMessage(forBob, password);
});

test('recipients sharing the method share one PDF and password; a Bcc recipient gets a PDF and a password of its own', async (t) => {
  const s = await scenario(t);
  await s.send('alice@example.test', ['bob@nocert.test', 'carol@nocert.test', 'dan@nocert.test'], message('bob@nocert.test, carol@nocert.test'));
  // Bob and Carol share a body, so delivery may send them one transaction with two RCPTs
  await waitForRecipients(s.sink, 5);
  await new Promise((r) => setTimeout(r, 300));
  const notices = s.sink.messages.filter(isNotice);
  const copies = s.sink.messages.filter((m) => !isNotice(m));
  assert.equal(notices.length, 2, 'one notice per PDF');
  assert.deepEqual(copies.flatMap((m) => m.to).sort(), ['bob@nocert.test', 'carol@nocert.test', 'dan@nocert.test']);
  const passwords = notices.map((n) => passwordFromNotice(n.body)!);
  assert.notEqual(passwords[0], passwords[1]);
  const pdfOf = (who: string) => pdfFromMessage(copies.find((m) => m.to.includes(who))!.body)!;
  assert.ok(pdfOf('bob@nocert.test').equals(pdfOf('carol@nocert.test')), 'Bob and Carol share one copy');
  const mentions = (n: SinkMessage, who: string) => n.body.toString('latin1').replace(/=\r\n/g, '').includes(who);
  const danNotice = notices.find((n) => mentions(n, 'dan@nocert.test'))!;
  const sharedNotice = notices.find((n) => n !== danNotice)!;
  assert.ok(mentions(sharedNotice, 'bob@nocert.test') && mentions(sharedNotice, 'carol@nocert.test') && !mentions(sharedNotice, 'dan@nocert.test'), 'the shared notice names Bob and Carol, never the Bcc recipient');
  assert.ok(!mentions(danNotice, 'bob@nocert.test'));
  checkPdfMessage(copies.find((m) => m.to.includes('dan@nocert.test'))!, passwordFromNotice(danNotice.body)!);
  checkPdfMessage(copies.find((m) => m.to.includes('bob@nocert.test'))!, passwordFromNotice(sharedNotice.body)!);
  assert.notEqual(tools.tryDecrypt(pdfOf('dan@nocert.test'), passwordFromNotice(sharedNotice.body)!).status, 0, 'the shared password does not open the Bcc copy');
});

test('static: the profile password (from ${ENV}) opens the PDF; no notice is sent; a custom subject and file name', async (t) => {
  process.env.SEALPOST_TEST_PDF_PASSWORD = 'agreed-Pa55word';
  t.after(() => delete process.env.SEALPOST_TEST_PDF_PASSWORD);
  const s = await scenario(t, 'profiles: { default: { pdf: { passwordMode: static, password: "${SEALPOST_TEST_PDF_PASSWORD}", subject: "Secure: {subject}", fileName: "secure.pdf" } } }\n');
  await s.send('alice@example.test', ['bob@nocert.test'], message('bob@nocert.test'));
  await s.sink.waitFor(1, 30_000);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(s.sink.messages.length, 1, 'no password notice');
  const m = s.sink.messages[0]!;
  const text = m.body.toString('latin1');
  assert.match(text, /^Subject: Secure: Board minutes\r$/m);
  assert.match(text, /name="secure\.pdf"/);
  assert.match(text, /Open it with the password you agreed with alice@example\.test/);
  const pdf = pdfFromMessage(m.body)!;
  assert.equal(tools.encryption(pdf, 'agreed-Pa55word').R, 6);
  assert.match(tools.text(pdf, 'agreed-Pa55word'), /機密：合併は金曜日に完了します。/);
  assert.notEqual(tools.tryDecrypt(pdf, 'WRONG').status, 0);
});

test('sms: the password goes to the recipient\'s number (directory or internal sender\'s header) through the webhook; a recipient without a number is not served by pdf', async (t) => {
  const received: Array<{ auth: string | undefined; body: { to: string; text: string } }> = [];
  const hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; text: string } });
      res.writeHead(200).end('queued');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => hook.close(() => r())));
  const port = (hook.address() as { port: number }).port;
  const numbersFile = join(await import('node:os').then((os) => os.tmpdir()), `sealpost-numbers-${process.pid}-${Date.now()}.csv`);
  writeFileSync(numbersFile, 'address,number\nbob@nocert.test,+49 151 1111111\n');
  t.after(() => import('node:fs').then((fs) => fs.rmSync(numbersFile, { force: true })));
  const s = await scenario(
    t,
    [
      'profiles: { default: { order: [pdf], queueTimeout: 1h, pdf: { passwordMode: sms } } }',
      `sms: { directory: "${numbersFile}", text: "Code for {sender}: {password}", webhook: { url: "http://127.0.0.1:${port}/send", headers: { Authorization: "Bearer sms-token" } } }`,
      '',
    ].join('\n'),
  );
  const raw = message('bob@nocert.test, carol@nocert.test, dan@nocert.test');
  const withHeader = Buffer.concat([Buffer.from('X-Sealpost-Sms-Number: dan@nocert.test=+33 6 12 34 56 78\r\n'), raw]);
  await s.send('alice@example.test', ['bob@nocert.test', 'carol@nocert.test', 'dan@nocert.test'], withHeader);
  await waitForRecipients(s.sink, 2);
  await new Promise((r) => setTimeout(r, 800));
  assert.deepEqual(s.sink.messages.flatMap((m) => m.to).sort(), ['bob@nocert.test', 'dan@nocert.test'], 'Bob and Dan have numbers; Carol is held (no number, no other method)');
  assert.equal(s.sink.messages.filter(isNotice).length, 0, 'no password notice to the sender in sms mode');
  assert.equal(received.length, 2, 'one SMS per number');
  for (const r of received) assert.equal(r.auth, 'Bearer sms-token');
  const numbers = received.map((r) => r.body.to).sort();
  assert.deepEqual(numbers, ['+33612345678', '+491511111111']);
  const bob = s.sink.messages.find((m) => m.to.includes('bob@nocert.test'))!;
  const sms = received.find((r) => r.body.to === '+491511111111')!;
  const password = /^Code for alice@example\.test: (\S+)$/.exec(sms.body.text)?.[1];
  assert.ok(password, sms.body.text);
  assert.match(bob.body.toString('latin1'), /The password was sent by SMS to your mobile phone\./, 'Bob and Dan share a copy: no number in the text');
  const head = bob.body.toString('latin1').split('\r\n\r\n')[0]!;
  assert.doesNotMatch(head, /X-Sealpost-Sms-Number|\+33/i, 'the number header does not travel on');
  checkPdfMessage(bob, password);
  assert.ok(s.sink.messages.every((m) => !m.to.includes('carol@nocert.test')));
});

test('a message from the null sender cannot use random-to-sender (nobody to tell): it is held, not sent', async (t) => {
  const s = await scenario(t, 'profiles: { default: { order: [pdf], queueTimeout: 1h } }\n');
  await s.send('', ['bob@nocert.test'], message('bob@nocert.test'));
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(s.sink.messages.length, 0);
});

test('one message, two methods: the recipient with a certificate gets S/MIME, the one without gets the PDF', async (t) => {
  const { smimeScenario } = await import('../helpers/smime-scenario.js');
  const s = await smimeScenario(t);
  await s.partner('bob@partner.test');
  await s.send('alice@example.test', ['bob@partner.test', 'carol@nocert.test'], message('bob@partner.test, carol@nocert.test'));
  await waitForRecipients(s.sink, 3);
  const forBob = s.sink.messages.find((m) => m.to.includes('bob@partner.test'))!;
  const forCarol = s.sink.messages.find((m) => m.to.includes('carol@nocert.test'))!;
  const notice = s.sink.messages.find(isNotice)!;
  assert.deepEqual(forBob.to, ['bob@partner.test']);
  assert.match(forBob.body.toString('latin1'), /application\/pkcs7-mime; smime-type=enveloped-data/);
  writeFileSync(s.f('bob.eml'), forBob.body);
  assert.match(s.decrypt('bob.eml', 'bob@partner.test').toString('utf8'), /Confidential: the merger closes on Friday\./);
  assert.deepEqual(forCarol.to, ['carol@nocert.test']);
  const password = passwordFromNotice(notice.body)!;
  assert.ok(notice.body.toString('latin1').replace(/=\r\n/g, '').includes('carol@nocert.test'));
  assert.ok(!notice.body.toString('latin1').replace(/=\r\n/g, '').includes('bob@partner.test'), 'the notice is about the PDF recipients only');
  checkPdfMessage(forCarol, password);
});
