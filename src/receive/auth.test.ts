import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CredentialCheck, FailureThrottle } from './auth.js';

test('CredentialCheck accepts only the exact pair', () => {
  const check = new CredentialCheck([
    { username: 'alice', password: 's3cret' },
    { username: 'bob', password: 'hunter2' },
  ]);
  assert.equal(check.enabled, true);
  assert.equal(check.verify('alice', 's3cret'), 'alice');
  assert.equal(check.verify('bob', 'hunter2'), 'bob');
  assert.equal(check.verify('alice', 'hunter2'), null, "another user's password");
  assert.equal(check.verify('alice', 's3cret '), null);
  assert.equal(check.verify('Alice', 's3cret'), null);
  assert.equal(check.verify('', ''), null);
  assert.equal(check.verify('alice', ''), null);
  assert.equal(check.knows('alice'), true);
  assert.equal(check.knows('s3cret'), false);
  assert.equal(new CredentialCheck([]).enabled, false);
  assert.equal(new CredentialCheck([]).verify('', ''), null);
});

test('FailureThrottle grows the delay per failure, caps it, blocks after the limit, forgets after the window', () => {
  let now = 1_000;
  const throttle = new FailureThrottle({ stepMs: 100, maxDelayMs: 250, maxFailures: 3, windowMs: 60_000 }, () => now);
  assert.equal(throttle.blocked('192.0.2.1'), false);
  assert.equal(throttle.fail('192.0.2.1'), 100);
  assert.equal(throttle.fail('192.0.2.1'), 200);
  assert.equal(throttle.blocked('192.0.2.1'), false);
  assert.equal(throttle.fail('192.0.2.1'), 250);
  assert.equal(throttle.blocked('192.0.2.1'), true);
  assert.equal(throttle.blocked('192.0.2.2'), false, 'other addresses are not affected');
  now += 60_001;
  assert.equal(throttle.blocked('192.0.2.1'), false);
  assert.equal(throttle.fail('192.0.2.1'), 100);
});
