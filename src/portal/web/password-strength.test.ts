import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPasswordStrength } from './password-strength.js';

test('short, repetitive, sequential, common and self-referencing passwords are refused', () => {
  assert.deepEqual(checkPasswordStrength('Tr0ub4dor&3'), { ok: false, reason: 'short' });
  for (const weak of ['aaaaaaaaaaaaaaaa', 'abcdefghijklmnop', '1234567890123', 'qwertyuiopasdf', 'Password12345', 'passwordpassword1', '111122223333'])
    assert.equal(checkPasswordStrength(weak).ok, false, weak);
  assert.equal(checkPasswordStrength('jane.doe.partner!', ['jane.doe@partner.test']).ok, false);
  assert.equal(checkPasswordStrength('x'.repeat(300)).ok, false);
});

test('long passphrases and random strings pass, whatever their character classes', () => {
  for (const good of ['correct horse battery staple', 'Kx9#mQ2$vL7!pW', 'lilac tractor moonbeam', 'zürich-fondue-7-abend', 'かたつむりのゆっくりさんぽ'])
    assert.deepEqual(checkPasswordStrength(good), { ok: true }, good);
});
