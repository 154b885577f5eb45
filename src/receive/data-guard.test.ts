import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LineEndingGuard } from './data-guard.js';

function scan(chunks: (string | Buffer)[]): ReturnType<LineEndingGuard['finish']> {
  const guard = new LineEndingGuard();
  for (const c of chunks) guard.push(Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1'));
  return guard.finish();
}

/** Byte-at-a-time reference: what "bare" means, spelled out. */
function reference(data: Buffer): boolean {
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a && (i === 0 || data[i - 1] !== 0x0d)) return true;
    if (data[i] === 0x0d && data[i + 1] !== 0x0a) return true;
  }
  return false;
}

test('clean CRLF data passes, in any chunking', () => {
  assert.equal(scan(['Subject: a\r\n\r\nbody\r\n']), null);
  assert.equal(scan(['Subject: a\r', '\n\r', '\nbody\r', '\n']), null);
  assert.equal(scan([]), null);
  assert.equal(scan(['', 'x', '']), null);
});

test('bare LF and bare CR are found with their offset', () => {
  assert.deepEqual(scan(['abc\ndef\r\n']), { kind: 'bare-lf', offset: 3 });
  assert.deepEqual(scan(['\nabc']), { kind: 'bare-lf', offset: 0 });
  assert.deepEqual(scan(['abc\rdef\r\n']), { kind: 'bare-cr', offset: 3 });
  assert.deepEqual(scan(['abc\r']), { kind: 'bare-cr', offset: 3 });
  assert.deepEqual(scan(['abc\r', 'x']), { kind: 'bare-cr', offset: 3 });
  assert.deepEqual(scan(['abc', '\n']), { kind: 'bare-lf', offset: 3 });
  assert.deepEqual(scan(['abc\r', '\r\n']), { kind: 'bare-cr', offset: 3 });
});

test('every smuggling end-of-data look-alike is caught', () => {
  for (const seq of ['\n.\n', '\n.\r\n', '\r.\r', '\r\n.\r', '\r.\r\n', '\r\n.\n', '\r\r\n.\r\n', '\r\n.\r\r\n']) {
    assert.notEqual(scan([`Subject: x\r\n\r\nhello${seq}MAIL FROM:<a@b>\r\n`]), null, JSON.stringify(seq));
  }
});

test('agrees with the byte-at-a-time reference on random data and random chunking', () => {
  const alphabet = Buffer.from('ab\r\n.');
  for (let round = 0; round < 2000; round++) {
    const raw = randomBytes(1 + (round % 40));
    const data = Buffer.from(raw.map((b) => alphabet[b % alphabet.length]!));
    const chunks: Buffer[] = [];
    for (let at = 0; at < data.length; ) {
      const len = 1 + (raw[at]! % 5);
      chunks.push(data.subarray(at, at + len));
      at += len;
    }
    assert.equal(scan(chunks) !== null, reference(data), JSON.stringify(data.toString('latin1')));
  }
});
