import assert from 'node:assert/strict';
import { test } from 'node:test';
import { base64Decode, decodeCharset, decodeWords, parseStructured, qpDecode } from './decode.js';
import { splitMultipart } from '../mime/read.js';

test('quoted-printable: escapes, soft breaks (CRLF and bare LF, trailing blanks), malformed escapes kept', () => {
  assert.equal(qpDecode(Buffer.from('a=3Db=\r\nc=  \nd =XY =4')).toString('latin1'), 'a=bcd =XY =4');
  assert.equal(qpDecode(Buffer.from('M=C3=BCller')).toString('utf8'), 'Müller');
});

test('base64 ignores line breaks and garbage', () => {
  assert.equal(base64Decode(Buffer.from('aGVs\r\nbG8*gd29y\nbGQ=')).toString(), 'hello world');
});

test('charsets: WHATWG labels, windows-1252 by table, unknown labels fall back to UTF-8', () => {
  assert.equal(decodeCharset(Buffer.from([0x93, 0x41, 0x94, 0x80]), 'windows-1252'), '“A”€');
  assert.equal(decodeCharset(Buffer.from([0x93, 0xe4]), 'ISO-8859-1'), '“ä', 'ISO-8859-1 is windows-1252 in WHATWG');
  assert.equal(decodeCharset(Buffer.from([0xb1]), 'iso-8859-2'), 'ą');
  assert.equal(decodeCharset(Buffer.from([0x82, 0xa0]), 'Shift_JIS'), 'あ');
  assert.equal(decodeCharset(Buffer.from('grüß', 'utf8'), 'x-no-such'), 'grüß');
  assert.equal(decodeCharset(Buffer.from('grüß', 'utf8'), 'cp1252'), 'grÃ¼ÃŸ');
});

test('header words and parameters: RFC 2047, RFC 2231, raw UTF-8', () => {
  assert.equal(decodeWords('=?utf-8?B?S8O8bmRpZ3VuZw==?= =?iso-8859-1?Q?f=FCr?='), 'Kündigungfür');
  assert.equal(decodeWords(Buffer.from('Grüße', 'utf8').toString('latin1')), 'Grüße');
  const ct = parseStructured("attachment; filename*=UTF-8''K%C3%BCndigung.pdf");
  assert.deepEqual(ct, { type: 'attachment', params: { filename: 'Kündigung.pdf' } });
});

test('multipart splitter: exact bytes, padding after delimiters, prefix-sharing inner boundaries, missing close, part cap', () => {
  const body = Buffer.from('preamble\r\n--b \r\nA: 1\r\n\r\none\r\n--b-inner\r\n--b\r\n\r\ntwo\r\n--b--\r\nepilogue');
  assert.deepEqual(splitMultipart(body, 'b', 10).parts.map((p) => p.toString()), ['A: 1\r\n\r\none\r\n--b-inner', '\r\ntwo']);
  assert.deepEqual(splitMultipart(Buffer.from('--b\nx\n--b\ny'), 'b', 10).parts.map((p) => p.toString()), ['x', 'y']);
  const many = Buffer.from('--b\r\n' + 'p\r\n--b\r\n'.repeat(50) + 'last\r\n--b--');
  const capped = splitMultipart(many, 'b', 10);
  assert.equal(capped.parts.length, 10);
  assert.equal(capped.truncated, true);
  assert.deepEqual(splitMultipart(Buffer.from('no delimiters'), 'b', 10), { parts: [], truncated: false, closed: false });
});
