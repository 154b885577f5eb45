/**
 * The PDF a recipient gets, checked with the real qpdf and pdftotext: AES-256 with the R6
 * security handler (V=5), the right password opens it and a wrong one does not, the text is
 * there in Latin, Cyrillic, Greek and Japanese, attachments come out byte for byte, HTML becomes
 * text (scripts dropped, the original attached), the document carries no JavaScript or actions,
 * a missing font is a visible note, and hostile input gives a PDF or a clear error, never a crash.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encryptPdf } from '../../src/pdf/encrypt.js';
import { renderMessagePdf } from '../../src/pdf/render.js';
import { DEFAULT_FONTS } from '../../src/pdf/fonts.js';
import { SealpostError } from '../../src/errors/index.js';
import { pdfTools } from '../helpers/pdf.js';

const tools = pdfTools();
after(() => tools.cleanup());

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');
const b64 = (data: Buffer) => data.toString('base64').replace(/.{76}/g, '$&\r\n');

const binary = randomBytes(50_000);
const multilingual = crlf([
  'From: =?utf-8?B?0JDQu9C40YHQsA==?= <alice@example.test>',
  'To: Bob <bob@partner.test>',
  'Cc: carol@partner.test',
  'Date: Mon, 23 Nov 2026 10:00:00 +0000',
  'Subject: =?utf-8?Q?Quarterly_figures_=E2=80=93_=CE=95=CE=BB=CE=BB=CE=AC=CE=B4=CE=B1?=',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  '--outer',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'The confidential figures are attached.',
  'Русский текст: конфиденциально',
  'Ελληνικό κείμενο: εμπιστευτικό',
  '日本語のテキスト：機密情報',
  '--outer',
  'Content-Type: application/octet-stream; name="figures.bin"',
  'Content-Disposition: attachment; filename="figures.bin"',
  'Content-Transfer-Encoding: base64',
  '',
  b64(binary),
  '--outer',
  'Content-Type: text/plain; charset=utf-8',
  "Content-Disposition: attachment; filename*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt",
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'Bericht =C3=BCber Q3',
  '--outer',
  'Content-Type: application/pdf',
  'Content-Disposition: attachment; filename="empty.pdf"',
  '',
  '',
  '--outer--',
  '',
]);

test('R6 (V=5, AES-256): the right password opens it, a wrong one does not; printing allowed, modification not', async () => {
  const rendered = await renderMessagePdf(multilingual);
  const pdf = await encryptPdf(rendered.pdf, { userPassword: 'correct horse 7' });
  assert.ok(!pdf.equals(rendered.pdf));
  const enc = tools.encryption(pdf, 'correct horse 7');
  assert.equal(enc.R, 6);
  assert.equal(enc.V, 5);
  assert.equal(enc.bits, 256);
  assert.equal(enc.method, 'AESv3');
  assert.equal(enc.userpasswordmatched, true);
  assert.equal(enc.capabilities.printhigh, true);
  assert.equal(enc.capabilities.modify, false);
  assert.equal(enc.capabilities.modifyannotations, false);
  assert.equal(enc.capabilities.modifyforms, false);

  const wrong = tools.tryDecrypt(pdf, 'WRONG');
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stderr, /invalid password/i);
  assert.throws(() => tools.text(pdf), 'pdftotext without the password fails');
  assert.ok(tools.decrypt(pdf, 'correct horse 7').length > 0);
});

test('pdftotext shows the headers and the body in Latin, Cyrillic, Greek and Japanese', async () => {
  const { pdf: plain, notes } = await renderMessagePdf(multilingual);
  const pdf = await encryptPdf(plain, { userPassword: 'pw-12345' });
  const text = tools.text(pdf, 'pw-12345');
  assert.match(text, /From: Алиса <alice@example\.test>/);
  assert.match(text, /To: Bob <bob@partner\.test>/);
  assert.match(text, /Cc: carol@partner\.test/);
  assert.match(text, /Subject: Quarterly figures – Ελλάδα/);
  assert.match(text, /The confidential figures are attached\./);
  assert.match(text, /Русский текст: конфиденциально/);
  assert.match(text, /Ελληνικό κείμενο: εμπιστευτικό/);
  assert.match(text, /日本語のテキスト：機密情報/);
  assert.deepEqual(notes, [], 'every script had a font');
});

test('every attachment is an embedded file that qpdf extracts byte for byte (0-byte and non-ASCII names too)', async () => {
  const rendered = await renderMessagePdf(multilingual);
  assert.equal(rendered.attachments, 3);
  const pdf = await encryptPdf(rendered.pdf, { userPassword: 'pw-12345' });
  const names = tools.attachments(pdf, 'pw-12345').sort();
  // a non-ASCII name gets an ASCII key in the name tree; its file name (/UF) stays Unicode
  assert.deepEqual(names, ['attachment-2.txt', 'empty.pdf', 'figures.bin']);
  assert.ok(tools.attachment(pdf, 'pw-12345', 'figures.bin').equals(binary));
  assert.equal(tools.attachment(pdf, 'pw-12345', 'attachment-2.txt').toString('utf8'), 'Bericht über Q3');
  assert.match(tools.listVerbose(pdf, 'pw-12345'), /attachment-2\.txt ->[\s\S]*?preferred name: отчёт\.txt/);
  assert.equal(tools.attachment(pdf, 'pw-12345', 'empty.pdf').length, 0);
  assert.match(tools.text(pdf, 'pw-12345'), /figures\.bin \(48\.8 KB\)/);
});

test('an HTML body becomes readable text (no script), the original HTML is attached; the PDF has no JavaScript, actions or forms', async () => {
  const html = '<html><head><style>p{color:red}</style><script>alert("pwned-by-script")</script></head><body><p>Hello <b>Bob</b>,</p><p>the offer is <a href="https://example.test/offer">here</a>.</p><img src="https://tracker.test/pixel.gif"><form action="https://evil.test"><input name="x"></form></body></html>';
  const raw = crlf(['From: alice@example.test', 'To: bob@partner.test', 'Subject: html', 'Content-Type: text/html; charset=utf-8', '', html]);
  const { pdf: plain } = await renderMessagePdf(raw, { replyUrl: 'https://portal.example.test/reply/abc' });
  const pdf = await encryptPdf(plain, { userPassword: 'pw-12345' });
  const text = tools.text(pdf, 'pw-12345');
  assert.match(text, /Hello BOB,|Hello Bob,/);
  assert.match(text, /the offer is here \[https:\/\/example\.test\/offer\]/);
  assert.doesNotMatch(text, /pwned-by-script/);
  assert.match(text, /https:\/\/portal\.example\.test\/reply\/abc/, 'the reply address is printed');
  assert.deepEqual(tools.attachments(pdf, 'pw-12345'), ['message.html']);
  assert.equal(tools.attachment(pdf, 'pw-12345', 'message.html').toString('utf8'), html);
  const qdf = tools.qdf(pdf, 'pw-12345');
  for (const key of ['/JavaScript', '/JS', '/OpenAction', '/AA', '/Launch', '/URI', '/AcroForm', '/SubmitForm']) {
    assert.ok(!new RegExp(`${key.replace('/', '\\/')}\\b`).test(qdf), `no ${key} in the document`);
  }
});

test('a script without a font gives a visible note, a trace note and the text attached; the rest still renders', async () => {
  const raw = crlf(['From: alice@example.test', 'Subject: fonts', 'Content-Type: text/plain; charset=utf-8', '', 'Latin line', '日本語の行', 'ภาษาไทย']);
  const onlyLatin = [DEFAULT_FONTS[0]!, { file: '/nonexistent/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKjp-Regular' }];
  const { pdf: plain, notes } = await renderMessagePdf(raw, { fonts: onlyLatin });
  assert.ok(notes.some((n) => /\/nonexistent\/NotoSansCJK-Regular\.ttc unavailable: file not found/.test(n)), notes.join('; '));
  assert.ok(notes.some((n) => /no font for CJK \(Han\).*Japanese \(Kana\).*Thai|no font for .*Thai/.test(n)), notes.join('; '));
  const pdf = await encryptPdf(plain, { userPassword: 'pw-12345' });
  const text = tools.text(pdf, 'pw-12345').replace(/\s+/g, ' ');
  assert.match(text, /Latin line/);
  assert.match(text, /Some characters \(.*CJK \(Han\).*Thai.*\) cannot be shown: no font for them is installed on the gateway/);
  assert.ok(tools.attachments(pdf, 'pw-12345').includes('message.txt'));
  assert.match(tools.attachment(pdf, 'pw-12345', 'message.txt').toString('utf8'), /日本語の行\nภาษาไทย/);
});

test('documents rendered one after another keep every character extractable (shared parsed fonts)', async () => {
  // DejaVu's Greek capital Epsilon is a composite of Latin E: a stale glyph cache once lost "E"
  const first = await renderMessagePdf(crlf(['Subject: Ελλάδα Ε', '', 'Ε ε']));
  assert.match(tools.text(first.pdf), /Ελλάδα Ε/);
  const second = await renderMessagePdf(crlf(['Subject: MIME EEE', '', 'End of Example.']));
  assert.match(tools.text(second.pdf), /MIME EEE/);
  assert.match(tools.text(second.pdf), /End of Example\./);
});

test('no usable font at all is a clear error (SP_ERR_PDF_FONT_MISSING), not a crash', async () => {
  await assert.rejects(renderMessagePdf(crlf(['Subject: x', '', 'y']), { fonts: [{ file: '/nonexistent/a.ttf' }] }), (err: unknown) => err instanceof SealpostError && err.code === 'SP_ERR_PDF_FONT_MISSING' && /\/nonexistent\/a\.ttf: file not found/.test(err.message));
});

test('hostile input: malformed MIME, a huge header, deep nesting, many parts, broken encodings all give a readable PDF', async () => {
  const deep = (() => {
    const lines: string[] = ['From: x@example.test', 'Subject: deep'];
    for (let i = 0; i < 60; i++) lines.push(`Content-Type: multipart/mixed; boundary="b${i}"`, '', `--b${i}`);
    lines.push('Content-Type: text/plain', '', 'innermost text');
    return crlf(lines);
  })();
  const many = crlf(['Subject: many', 'Content-Type: multipart/mixed; boundary=m', '', ...Array.from({ length: 700 }, (_, i) => [`--m`, `Content-Type: application/octet-stream; name="p${i}.bin"`, '', `part ${i}`]).flat(), '--m--']);
  const cases: Array<[string, Buffer, RegExp]> = [
    ['no header/body separator', Buffer.from('Subject: only headers\r\nFrom: a@b'), /only headers/],
    ['multipart without boundary', crlf(['Subject: nob', 'Content-Type: multipart/mixed', '', 'body text']), /multipart without a boundary/],
    ['unterminated multipart', crlf(['Subject: unterminated', 'Content-Type: multipart/mixed; boundary=x', '', '--x', 'Content-Type: text/plain', '', 'cut off here']), /cut off here/],
    ['broken base64 and QP', crlf(['Subject: broken', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', 'caf=C3=A9 =ZZ =', '']), /café =ZZ/],
    ['unknown charset', crlf(['Subject: cs', 'Content-Type: text/plain; charset=x-unknown-42', '', 'plain ascii']), /plain ascii/],
    ['binary garbage', Buffer.concat([Buffer.from('Subject: garbage\r\n\r\n'), randomBytes(4096)]), /garbage/],
    ['huge header (1 MB subject)', crlf([`Subject: huge ${'A'.repeat(1_000_000)}`, 'From: a@example.test', '', 'after the huge header']), /after the huge header/],
    ['60 nested multiparts', deep, /nested deeper than 20/],
    ['700 parts', many, /more than 500 MIME parts/],
    ['NUL bytes and controls', Buffer.from('Subject: ctl\x00\x07\r\n\r\nnul\x00here\x1b[31m red'), /nulhere\[31m red/],
  ];
  for (const [name, raw, expected] of cases) {
    const { pdf: plain } = await renderMessagePdf(raw);
    const pdf = await encryptPdf(plain, { userPassword: 'pw-12345' });
    const text = tools.text(pdf, 'pw-12345');
    assert.match(text.replace(/\s+/g, ' '), expected, name);
  }
});

test('the same input and password encrypt differently each time (fresh file key and salts)', async () => {
  const { pdf: plain } = await renderMessagePdf(crlf(['Subject: twice', '', 'same text']), { now: new Date(0) });
  const a = await encryptPdf(plain, { userPassword: 'same-password' });
  const b = await encryptPdf(plain, { userPassword: 'same-password' });
  assert.ok(!a.equals(b));
  assert.equal(tools.text(a, 'same-password'), tools.text(b, 'same-password'));
});

test('encryptPdf refuses what is not a PDF and bad passwords with SP_ERR_PDF_ENCRYPT_FAILED, and keeps working afterwards', async () => {
  await assert.rejects(encryptPdf(Buffer.from('not a pdf'), { userPassword: 'pw-12345' }), (err: unknown) => err instanceof SealpostError && err.code === 'SP_ERR_PDF_ENCRYPT_FAILED');
  await assert.rejects(encryptPdf(Buffer.from('%PDF-1.7'), { userPassword: '' }), /user password is empty/);
  await assert.rejects(encryptPdf(Buffer.from('%PDF-1.7'), { userPassword: 'x'.repeat(128) }), /longer than 127 bytes/);
  const { pdf: plain } = await renderMessagePdf(crlf(['Subject: after', '', 'still fine']));
  const pdf = await encryptPdf(plain, { userPassword: '-starts-with-dash' });
  assert.equal(tools.encryption(pdf, '-starts-with-dash').R, 6);
  assert.match(tools.text(pdf, '-starts-with-dash'), /still fine/);
});
