import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stampMarker, verifyMarker } from './loop-marker.js';

const secret = Buffer.alloc(32, 7);
const now = Date.UTC(2026, 10, 23, 12);

test('a marker verifies for its own Message-ID within a day, and fails otherwise', () => {
  const value = stampMarker(secret, 'gw1', 'outbound', '<a@x>', now);
  assert.deepEqual(verifyMarker(secret, value, '<a@x>', now + 1000), { node: 'gw1', direction: 'outbound', time: Math.floor(now / 1000) * 1000 });
  assert.equal(verifyMarker(secret, value, '<b@x>', now), null, 'replayed onto another message');
  assert.equal(verifyMarker(secret, value, '<a@x>', now + 25 * 3600_000), null, 'older than a day');
  assert.equal(verifyMarker(Buffer.alloc(32, 8), value, '<a@x>', now), null, 'another gateway secret');
  assert.equal(verifyMarker(secret, value.replace('outbound', 'inbound'), '<a@x>', now), null, 'direction is covered by the MAC');
  assert.equal(verifyMarker(secret, value, undefined, now), null, 'no Message-ID, no trust');
  assert.equal(verifyMarker(secret, 'garbage', '<a@x>', now), null);
});
