import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToText, decodeWords, headerDisplayText, parseStructured, qpDecode, safeFileName, splitMultipart, transferDecode } from './read.js';

test('file names lose paths and controls', () => {
  assert.equal(safeFileName('../../etc/passwd'), 'passwd');
  assert.equal(safeFileName('C:\\\\evil\\\\a\u0000b.exe'), 'ab.exe');
  assert.equal(safeFileName('...hidden'), 'hidden');
});

test('lenient decoding: QP soft breaks and bad escapes, base64 with garbage, 8-bit headers as UTF-8, encoded words', () => {
  assert.equal(qpDecode(Buffer.from('caf=C3=A9 =\r\nnext =ZZ')).toString('utf8'), 'café next =ZZ');
  assert.equal(transferDecode(Buffer.from('aGVs\r\nbG8*!'), 'Base64').toString(), 'hello');
  assert.equal(transferDecode(Buffer.from('as is'), 'x-unknown').toString(), 'as is');
  assert.equal(decodeWords(Buffer.from('Grüße', 'utf8').toString('latin1')), 'Grüße');
  assert.equal(decodeWords('=?utf-8?Q?r=C3=A9sum=C3=A9?= ok'), 'résumé ok');
  assert.equal(decodeWords('=?broken'), '=?broken');
  assert.equal(headerDisplayText('a\u0000b'), 'a b');
  assert.equal(headerDisplayText(undefined), '');
});

test('charsets: windows-1252 for latin1 labels (smart quotes, €), unknown labels fall back to UTF-8', () => {
  assert.equal(bytesToText(Buffer.from([0x93, 0x80, 0x94]), 'iso-8859-1'), '\u201c\u20ac\u201d');
  assert.equal(bytesToText(Buffer.from('żółw', 'utf8'), 'x-no-such-charset'), 'żółw');
  assert.equal(bytesToText(Buffer.from([0x82, 0xa0]), 'shift_jis'), 'あ');
});

test('structured values: lower-case type, RFC 2231 parameters joined, encoded-word parameters decoded', () => {
  const ct = parseStructured("Application/PDF; NAME*0*=utf-8''%E2%82%AC; name*1=\" rate.pdf\"");
  assert.equal(ct.type, 'application/pdf');
  assert.equal(ct.params.name, '€ rate.pdf');
  assert.equal(parseStructured('attachment; filename="=?utf-8?Q?r=C3=A9sum=C3=A9.pdf?="').params.filename, 'résumé.pdf');
  assert.deepEqual(parseStructured(undefined), { type: '', params: {} });
});

test('multipart split: delimiters only at line starts, byte-exact parts, missing close delimiter, part limit', () => {
  const { parts, closed } = splitMultipart(Buffer.from('preamble\r\n--b\r\none --b not a delimiter\r\n--b\r\ntwo\r\n--b--\r\nepilogue'), 'b');
  assert.deepEqual(parts.map(String), ['one --b not a delimiter', 'two']);
  assert.equal(closed, true);
  const open = splitMultipart(Buffer.from('--b\nlast part, no close'), 'b');
  assert.deepEqual(open.parts.map(String), ['last part, no close']);
  assert.equal(open.closed, false, 'strict readers (signed/encrypted entities) refuse this');
  const many = Buffer.from(`${Array.from({ length: 10 }, (_, i) => `--b\r\n${i}`).join('\r\n')}\r\n--b--\r\n`);
  const limited = splitMultipart(many, 'b', 3);
  assert.equal(limited.parts.length, 3);
  assert.equal(limited.truncated, true);
});

test('file names lose bidi controls (no "invoice\u202Efdp.exe" shown as …exe.pdf)', () => {
  assert.equal(safeFileName('invoice\u202Efdp.exe'), 'invoicefdp.exe');
});
