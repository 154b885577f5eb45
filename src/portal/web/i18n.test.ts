import { test } from 'node:test';
import assert from 'node:assert/strict';
import { en } from './locales/en.js';
import { fromAcceptLanguage, LOCALES, negotiateLocale, translator } from './i18n.js';

test('every locale translates every key, keeps the placeholders, and differs from English', () => {
  assert.equal(LOCALES.length, 12);
  for (const { code } of LOCALES.filter((l) => l.code !== 'en')) {
    const t = translator(code);
    let same = 0;
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const text = t(key);
      assert.ok(text.length > 0, `${code} ${key}`);
      assert.deepEqual((text.match(/\{\w+\}/g) ?? []).sort(), (en[key].match(/\{\w+\}/g) ?? []).sort(), `${code} ${key} placeholders`);
      if (text === en[key]) same++;
    }
    assert.ok(same < 8, `${code}: ${same} strings identical to English`);
  }
});

test('Accept-Language with q-values picks the best supported locale; the switcher wins', () => {
  assert.equal(fromAcceptLanguage('de-CH,de;q=0.9,en;q=0.8'), 'de');
  assert.equal(fromAcceptLanguage('xx, ja;q=0.5, fr;q=0.7'), 'fr');
  assert.equal(fromAcceptLanguage('zh-Hant-TW'), 'zh');
  assert.equal(fromAcceptLanguage('tlh'), undefined);
  assert.equal(negotiateLocale({ query: 'ko', cookie: 'de', acceptLanguage: 'fr' }), 'ko');
  assert.equal(negotiateLocale({ query: 'evil', cookie: 'nl', acceptLanguage: 'fr' }), 'nl');
  assert.equal(negotiateLocale({ acceptLanguage: 'tlh', fallback: 'pl' }), 'pl');
  assert.equal(translator('de')('register.intro', { address: 'a@b' }), 'Wählen Sie ein Passwort für a@b. Sie benötigen es, um Ihre sicheren Nachrichten zu lesen.');
});
