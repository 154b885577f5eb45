import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePassword, PASSWORD_ALPHABET, passwordBits } from './password.js';

test('passwords: four groups of five from the unambiguous alphabet, 100 bits, never repeated', () => {
  assert.equal(PASSWORD_ALPHABET.length, 32);
  assert.doesNotMatch(PASSWORD_ALPHABET, /[ilou]/);
  assert.equal(passwordBits(), 100);
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    const p = generatePassword();
    assert.match(p, /^[0-9a-hjkmnp-tv-z]{5}(-[0-9a-hjkmnp-tv-z]{5}){3}$/);
    seen.add(p);
    for (const c of p.replace(/-/g, '')) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  assert.equal(seen.size, 2000);
  // every symbol is used, none wildly more than others (40000 draws, 1250 expected each)
  assert.equal(counts.size, 32);
  for (const [c, n] of counts) assert.ok(n > 1000 && n < 1500, `${c}: ${n}`);
});
