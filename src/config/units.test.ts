import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration, parseSize } from './units.js';

test('durations parse to milliseconds and reject junk', () => {
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('4d'), 345_600_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('5 minutes'), null);
  assert.equal(parseDuration('-5m'), null);
  assert.equal(formatDuration(14_400_000), '4h');
});

test('sizes use binary multiples and are case-insensitive', () => {
  assert.equal(parseSize('25MB'), 25 * 1024 * 1024);
  assert.equal(parseSize('10kb'), 10240);
  assert.equal(parseSize('512'), 512);
  assert.equal(parseSize('1TB'), null);
});
