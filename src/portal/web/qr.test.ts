import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { encodeQr, qrSvgDataUri } from './qr.js';

const OTPAUTH = 'otpauth://totp/Sealpost:bob%40partner.test?issuer=Sealpost&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30';
const digest = (m: readonly (readonly boolean[])[]) => createHash('sha256').update(m.map((r) => r.map((d) => (d ? '1' : '0')).join('')).join('\n')).digest('hex');

test('matrices match ones decoded correctly by zbarimg 0.23.92 (a two-block v8 and a sixteen-block v20)', () => {
  // Rendered with qrSvgDataUri in Chromium and read back with `zbarimg --raw` when written;
  // any change to the encoder must be re-checked that way before these digests are updated.
  const a = encodeQr(OTPAUTH);
  assert.deepEqual([a.version, a.mask, digest(a.modules)], [8, 3, '404aafce4d63a4a3ba872a1f314b0661681a59af16bb9ce4b357795984a0f79e']);
  const b = encodeQr('Z'.repeat(660));
  assert.deepEqual([b.version, b.mask, digest(b.modules)], [20, 1, '5458cfd7bf0ce3481714b759331f566a902a7dd5a29535433f44489a93cda43d']);
});

test('structure: finder patterns, timing, dark module, format bits (level M + mask) readable twice', () => {
  const q = encodeQr('hello world');
  assert.equal(q.size, 21);
  const m = q.modules;
  const finderRow = [true, true, true, true, true, true, true];
  for (const [x0, y0] of [[0, 0], [14, 0], [0, 14]]) assert.deepEqual(m[y0!]!.slice(x0!, x0! + 7), finderRow);
  for (let i = 8; i < 13; i++) assert.equal(m[6]![i], i % 2 === 0, 'timing');
  assert.equal(m[q.size - 8]![8], true, 'dark module');
  // format bits, first copy around the top-left finder, unmasked with 0x5412: level M (00) and the mask
  const bit = (x: number, y: number) => (m[y]![x] ? 1 : 0);
  const first = [bit(8, 0), bit(8, 1), bit(8, 2), bit(8, 3), bit(8, 4), bit(8, 5), bit(8, 7), bit(8, 8), bit(7, 8), bit(5, 8), bit(4, 8), bit(3, 8), bit(2, 8), bit(1, 8), bit(0, 8)];
  const value = first.reduce((acc, b, i) => acc | (b << i), 0) ^ 0x5412;
  assert.equal(value >>> 10, q.mask, 'level M (00) and the chosen mask');
  const second = [...Array(8).keys()].map((i) => bit(q.size - 1 - i, 8)).concat([...Array(7).keys()].map((i) => bit(8, q.size - 7 + i)));
  assert.deepEqual(second, first, 'both copies agree');
  assert.throws(() => encodeQr('x'.repeat(700)), RangeError);
  assert.match(qrSvgDataUri(OTPAUTH), /^data:image\/svg\+xml;base64,/);
  assert.doesNotMatch(Buffer.from(qrSvgDataUri(OTPAUTH).split(',')[1]!, 'base64').toString(), /<script|on\w+=/);
});
