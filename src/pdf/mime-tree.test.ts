import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './mime-tree.js';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');

test('alternative: the plain text is the body, the HTML is kept; nested attachments and forwarded messages are attachments', () => {
  const m = parseMessage(
    crlf([
      'Subject: =?iso-8859-1?Q?Gr=FC=DFe?=',
      'From: =?utf-8?B?0JDQu9C40YHQsA==?= <a@example.test>',
      'To: b@example.test',
      'To: c@example.test',
      'Content-Type: multipart/mixed; boundary=outer',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=koi8-r',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]).toString('base64'),
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Привет</p>',
      '--alt--',
      '--outer',
      'Content-Type: message/rfc822',
      '',
      'Subject: inner',
      '',
      'inner body',
      '--outer',
      'Content-Type: image/png',
      'Content-Disposition: inline',
      '',
      'PNG',
      '--outer--',
    ]),
  );
  assert.equal(m.headers.subject, 'Grüße');
  assert.equal(m.headers.from, 'Алиса <a@example.test>');
  assert.equal(m.headers.to, 'b@example.test, c@example.test');
  assert.equal(m.text, 'Привет');
  assert.equal(m.html, '<p>Привет</p>');
  assert.deepEqual(m.attachments.map((a) => [a.name, a.contentType]), [['forwarded-message.eml', 'message/rfc822'], ['attachment-3.png', 'image/png']]);
  assert.match(m.attachments[0]!.data.toString(), /^Subject: inner/);
  assert.deepEqual(m.problems, []);
});

test('an HTML-only body becomes text without script or style', () => {
  const m = parseMessage(crlf(['Content-Type: text/html', '', '<style>x{}</style><script>evil()</script><h1>Title</h1><p>Para <a href="https://x.test">link</a></p>']));
  assert.doesNotMatch(m.text, /evil|x\{\}/);
  assert.match(m.text, /TITLE/);
  assert.match(m.text, /link \[https:\/\/x\.test\]/);
});

test('attachment names: RFC 2231 and encoded-word names decode', () => {
  const m = parseMessage(crlf(['Content-Type: multipart/mixed; boundary=b', '', '--b', "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC%20rate.pdf", '', 'x', '--b', 'Content-Type: application/pdf; name="=?utf-8?Q?r=C3=A9sum=C3=A9.pdf?="', '', 'y', '--b--']));
  assert.deepEqual(m.attachments.map((a) => a.name), ['€ rate.pdf', 'résumé.pdf']);
});

test('hostile HTML: deep nesting and a huge body convert quickly with a note, never a stack overflow', () => {
  const deep = `<p>start</p>${'<div>'.repeat(20_000)}deep${'</div>'.repeat(20_000)}`;
  let started = performance.now();
  const a = parseMessage(Buffer.from(`Content-Type: text/html\r\n\r\n${deep}`));
  assert.match(a.text, /start/);
  assert.ok(performance.now() - started < 5000);
  const huge = '<p>para <b>bold</b> text</p>'.repeat(40_000);
  started = performance.now();
  const b = parseMessage(Buffer.from(`Content-Type: text/html\r\n\r\n${huge}`));
  assert.ok(performance.now() - started < 5000);
  assert.match(b.problems.join(), /the HTML body is long: the text shown comes from its first 512 KB/);
  assert.equal(b.html, huge, 'the whole HTML is kept for message.html');
});
