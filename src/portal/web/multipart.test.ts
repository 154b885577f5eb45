import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryOf, parseMultipart, safeFilename } from './multipart.js';

test('fields and files are read; filenames lose paths and control characters; RFC 5987 names decode', () => {
  const b = '----x7';
  const body = Buffer.from(
    [
      `--${b}`, 'Content-Disposition: form-data; name="_csrf"', '', 'tok',
      `--${b}`, 'Content-Disposition: form-data; name="body"', '', 'line 1\r\nline 2',
      `--${b}`, 'Content-Disposition: form-data; name="files"; filename="C:\\\\Users\\\\me\\\\report.pdf"', 'Content-Type: application/pdf', '', '%PDF-1',
      `--${b}`, `Content-Disposition: form-data; name="files"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`, 'Content-Type: text/plain; charset=utf-8', '', 'x',
      `--${b}`, 'Content-Disposition: form-data; name="files"; filename=""', 'Content-Type: application/octet-stream', '', '',
      `--${b}--`, '',
    ].join('\r\n'),
  );
  const form = parseMultipart(body, boundaryOf(`multipart/form-data; boundary=${b}`)!);
  assert.equal(form.fields._csrf, 'tok');
  assert.equal(form.fields.body, 'line 1\r\nline 2');
  assert.deepEqual(form.files.map((f) => [f.filename, f.contentType, f.content.toString()]), [['report.pdf', 'application/pdf', '%PDF-1'], ['résumé.txt', 'text/plain', 'x']]);
  assert.equal(safeFilename('../../etc/passwd'), 'passwd');
  assert.equal(safeFilename('..'), 'attachment');
  assert.equal(safeFilename('a\u0000b"<c>.txt'), 'abc.txt');
  assert.equal(boundaryOf('multipart/form-data'), null);
});
