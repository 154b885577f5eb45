import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import libmime from 'libmime';
import { SealpostError } from '../errors/index.js';
import { assertWireClean, multipart, parseMessage, qpDecode } from './mime-check.test-util.js';
import { buildNotice, type NoticeInput, type NoticeType } from './notice.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const ORIGINAL = Buffer.from('From: a@example.test\r\nTo: b@example.net\r\nSubject: plans\r\n\r\nCONFIDENTIAL BODY\r\n');

function input(over: Partial<NoticeInput> = {}): NoticeInput {
  const t = {
    subject: 'Not delivered: your message could not be sent securely ("plans")',
    text: 'Your message ("plans") to b@example.net could not be delivered securely:\nno encryption method could serve the recipient within 4h;\nit was not sent. Nobody received it in plain text.\n',
  };
  return { type: 'encryption-failed', hostname: 'gw.example.test', from: 'sealpost@gw.example.test', to: 'a@example.test', subject: t.subject, text: t.text, now: NOW, ...over };
}

describe('buildNotice', () => {
  it('writes a single text/plain UTF-8 quoted-printable part with our markers', () => {
    const raw = buildNotice(input());
    assertWireClean(raw);
    const { headers, body } = parseMessage(raw.toString('latin1'));
    assert.deepEqual(headers.get('from'), ['<sealpost@gw.example.test>']);
    assert.deepEqual(headers.get('to'), ['<a@example.test>']);
    assert.deepEqual(headers.get('x-sealpost-notification'), ['encryption-failed']);
    assert.deepEqual(headers.get('auto-submitted'), ['auto-generated']);
    assert.deepEqual(headers.get('mime-version'), ['1.0']);
    assert.deepEqual(headers.get('date'), ['Sun, 01 Jun 2025 12:00:00 +0000']);
    assert.match(headers.get('message-id')![0]!, /^<[^<>\s]+@gw\.example\.test>$/);
    assert.deepEqual(headers.get('content-type'), ['text/plain; charset=utf-8']);
    assert.deepEqual(headers.get('content-transfer-encoding'), ['quoted-printable']);
    const text = qpDecode(body).toString('utf8');
    assert.match(text, /Your message \("plans"\) to b@example\.net could not be delivered securely:\r\n/);
    assert.match(text, /no encryption method could serve the recipient within 4h;\r\nit was not sent\./);
  });

  it('encodes a non-ASCII subject and display name as RFC 2047 encoded-words', () => {
    const raw = buildNotice(input({ subject: 'Nicht zugestellt: „Grüße aus Köln“', fromName: 'Sealpost Gateway – Köln' }));
    assertWireClean(raw);
    const { headers } = parseMessage(raw.toString('latin1'));
    const subject = headers.get('subject')![0]!;
    assert.match(subject, /=\?UTF-8\?Q\?/);
    assert.equal(libmime.decodeWords(subject), 'Nicht zugestellt: „Grüße aus Köln“');
    assert.equal(libmime.decodeWords(headers.get('from')![0]!), 'Sealpost Gateway – Köln <sealpost@gw.example.test>');
  });

  it('quotes an ASCII display name with specials', () => {
    const { headers } = parseMessage(buildNotice(input({ fromName: 'Sealpost, "gateway"' })).toString('latin1'));
    assert.deepEqual(headers.get('from'), ['"Sealpost, \\"gateway\\"" <sealpost@gw.example.test>']);
  });

  it('carries mostly-Latin text exactly through quoted-printable', () => {
    const text = 'Passwort für Jörg:\nPassword: s3cr=t/Ä\n' + 'Grüße aus Köln, '.repeat(20) + '\n';
    const { headers, body } = parseMessage(buildNotice(input({ type: 'pdf-password', text })).toString('latin1'));
    assert.deepEqual(headers.get('content-transfer-encoding'), ['quoted-printable']);
    assert.equal(qpDecode(body).toString('utf8'), text.replace(/\n/g, '\r\n'));
  });

  it('carries mostly non-Latin text exactly through base64 (QP would triple it)', () => {
    const text = 'パスワード:\nPassword: s3cr=t/Ä\n' + 'ü'.repeat(120) + '\n';
    const raw = buildNotice(input({ type: 'pdf-password', text }));
    assertWireClean(raw);
    const { headers, body } = parseMessage(raw.toString('latin1'));
    assert.deepEqual(headers.get('content-transfer-encoding'), ['base64']);
    assert.equal(Buffer.from(body, 'base64').toString('utf8'), text.replace(/\n/g, '\r\n'));
  });

  it('writes text and HTML as multipart/alternative (text first) with Content-Language', () => {
    const raw = buildNotice(input({ html: '<p>Hello</p>', language: 'de', originalHeaders: ORIGINAL }));
    assertWireClean(raw);
    const outer = multipart(raw.toString('latin1'));
    assert.deepEqual(outer.headers.get('content-language'), ['de']);
    const alt = multipart(`Content-Type: ${outer.parts[0]!.headers.get('content-type')![0]}\r\n\r\n${outer.parts[0]!.body}`);
    assert.deepEqual(alt.parts.map((p) => p.headers.get('content-type')?.[0]), ['text/plain; charset=utf-8', 'text/html; charset=utf-8']);
    assert.equal(qpDecode(alt.parts[1]!.body).toString('utf8'), '<p>Hello</p>\r\n');
    assert.equal(outer.parts[1]!.headers.get('content-type')?.[0], 'text/rfc822-headers');
  });

  it('attaches only the original header block as text/rfc822-headers', () => {
    const raw = buildNotice(input({ originalHeaders: ORIGINAL }));
    assertWireClean(raw);
    const s = raw.toString('latin1');
    assert.ok(!s.includes('CONFIDENTIAL'));
    const { headers, parts } = multipart(s);
    assert.match(headers.get('content-type')![0]!, /^multipart\/mixed; boundary="/);
    assert.deepEqual(parts.map((p) => p.headers.get('content-type')?.[0]), ['text/plain; charset=utf-8', 'text/rfc822-headers']);
    assert.equal(parts[1]!.body, 'From: a@example.test\r\nTo: b@example.net\r\nSubject: plans\r\n');
  });

  it('does not let CR/LF in a subject inject header fields', () => {
    const raw = buildNotice(input({ subject: 'hello\r\nBcc: victim@example.net', to: 'a@example.test>\r\nX-Evil: 1' })).toString('latin1');
    assert.ok(!/\r\nBcc:/i.test(raw));
    assert.ok(!/\r\nX-Evil:/i.test(raw));
  });

  it('folds a very long subject within the line limits', () => {
    const raw = buildNotice(input({ subject: `${'word '.repeat(400)}${'x'.repeat(2000)}` }));
    assertWireClean(raw);
  });

  it('refuses unknown types (and dsn, which buildDsn writes)', () => {
    assert.throws(() => buildNotice(input({ type: 'dsn' as NoticeType })), SealpostError);
    assert.throws(() => buildNotice(input({ type: 'nonsense' as NoticeType })), /unknown type/);
  });
});
