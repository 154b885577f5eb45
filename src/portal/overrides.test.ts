import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageDraft } from '../mime/draft.js';
import { applyOverrides, parseFlag, parseOverrides, parseRelativeExpiration } from './overrides.js';

const H = 3600_000;
const D = 24 * H;

test('expiration: +D days and +HH:MM:SS (hours beyond 24), nothing else', () => {
  assert.equal(parseRelativeExpiration('+7'), 7 * D);
  assert.equal(parseRelativeExpiration(' +24:00:00 '), 24 * H);
  assert.equal(parseRelativeExpiration('+100:30:15'), 100 * H + 30 * 60_000 + 15_000);
  for (const bad of ['7', '+0', '+00:00:00', '+1:60:00', '+1d', '-3', '+3.5', 'tomorrow', '+99999', '']) assert.equal(parseRelativeExpiration(bad), null, bad);
});

test('flags: true/false and the usual spellings; anything else is refused', () => {
  assert.deepEqual(['true', 'YES', '1', 'on'].map(parseFlag), [true, true, true, true]);
  assert.deepEqual(['False', 'no', '0', 'off'].map(parseFlag), [false, false, false, false]);
  assert.equal(parseFlag('maybe'), null);
});

test('headers of a real message: ours, Cisco aliases, precedence and problems', () => {
  const draft = MessageDraft.parse(
    Buffer.from(
      'From: a@example.test\r\nX-PostX-ExpirationDate: +24:00:00\r\nX-Sealpost-Expiration: +2\r\nX-PostX-Reply-Enabled: false\r\n' +
        'x-postx-send-return-receipt: TRUE\r\nX-Sealpost-Allow-Forward: perhaps\r\nX-PostX-Forward-Enabled: true\r\n\r\nbody\r\n',
    ),
  );
  const { overrides, problems } = parseOverrides((n) => draft.get(n));
  assert.deepEqual(overrides, { expiresAfterMs: 2 * D, readReceipts: true, allowReply: false });
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /X-Sealpost-Allow-Forward: not understood "perhaps"/);
});

test('applyOverrides replaces only what was given', () => {
  const profile = { expiresAfter: 30 * D, readReceipts: false, allowReply: true, allowReplyAll: false, allowForward: false, locale: 'en' };
  assert.deepEqual(applyOverrides(profile, { expiresAfterMs: D, allowForward: true }), { ...profile, expiresAfter: D, allowForward: true });
  assert.deepEqual(applyOverrides(profile, {}), profile);
});
