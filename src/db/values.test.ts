import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreValueError, toBytes, toMillis, toMillisOrNull, writeMillis } from './values.js';

test('toMillis normalises what SQLite and PostgreSQL drivers return for int8', () => {
  assert.equal(toMillis(1_700_000_000_123), 1_700_000_000_123);
  assert.equal(toMillis('1700000000123'), 1_700_000_000_123, 'pg: int8 as string');
  assert.equal(toMillis(1_700_000_000_123n), 1_700_000_000_123, 'bigint (safeIntegers)');
  assert.equal(toMillis('-5'), -5);
  assert.equal(toMillisOrNull(null), null);
  for (const bad of ['12.5', '', 'abc', 1.5, Number.NaN, '9007199254740993', 2n ** 60n, {}, true]) {
    assert.throws(() => toMillis(bad), StoreValueError, String(bad));
  }
});

test('toBytes returns Buffers for Buffer and Uint8Array views, refuses the rest', () => {
  const u = new Uint8Array([0, 1, 2, 3]).subarray(1, 3);
  const b = toBytes(u);
  assert.ok(Buffer.isBuffer(b));
  assert.deepEqual([...b], [1, 2]);
  assert.throws(() => toBytes('text'), StoreValueError);
});

test('writeMillis truncates fractions and refuses non-finite times', () => {
  assert.equal(writeMillis(10.9, 't'), 10);
  assert.throws(() => writeMillis(Number.NaN, 't'), TypeError);
  assert.throws(() => writeMillis(Infinity, 't'), TypeError);
});
