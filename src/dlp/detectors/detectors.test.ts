import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abaChecksumValid, findAbaRoutings, isAbaRouting, maskAba } from './aba.js';
import { cardBrand, findCards, isCardNumber, luhnValid, maskCard } from './cards.js';
import { compileDetector, findCustom, maskCustom } from './custom.js';
import { findEmails, maskEmail } from './emails.js';
import { findIbans, ibanChecksumValid, isIban, maskIban } from './iban.js';
import { findSsns, isSsn, maskSsn } from './ssn.js';
import { dlpSchema } from '../../config/dlp-schema.js';

describe('credit-card detector', () => {
  // the networks' published test numbers
  const valid: [string, string][] = [
    ['4111111111111111', 'visa'],
    ['4012888888881881', 'visa'],
    ['4222222222222', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['5105105105105100', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['2221000000000009', 'mastercard'],
    ['378282246310005', 'amex'],
    ['371449635398431', 'amex'],
    ['6011111111111117', 'discover'],
    ['6011000990139424', 'discover'],
    ['3530111333300000', 'jcb'],
    ['3566002020360505', 'jcb'],
    ['30569309025904', 'diners'],
    ['38520000023237', 'diners'],
    ['36227206271667', 'diners'],
    ['6200000000000005', 'unionpay'],
    ['6205500000000000004', 'unionpay'],
    ['6759649826438453', 'maestro'],
    ['5018000000000009', 'maestro'],
  ];
  for (const [n, brand] of valid) {
    it(`accepts ${brand} ${n}`, () => {
      assert.equal(isCardNumber(n), true);
      assert.equal(cardBrand(n), brand);
      assert.deepEqual(findCards(`pay with ${n} please`), [n]);
    });
  }

  it('refuses numbers failing Luhn', () => {
    for (const n of ['4111111111111112', '5555555555554445', '378282246310006', '6011111111111118']) {
      assert.equal(luhnValid(n), false, n);
      assert.equal(isCardNumber(n), false, n);
      assert.deepEqual(findCards(`card ${n}`), [], n);
    }
  });

  it('refuses Luhn-valid numbers outside the issuer ranges or lengths', () => {
    // all pass Luhn: prefix 1 is no card network; an Amex prefix with 16 digits; Visa with 17
    for (const n of ['1234567812345670', '3400000000000000', '4111111111111111110'.slice(0, 17), '0000000000000000']) {
      if (n.length !== 17) assert.equal(luhnValid(n), true, n);
      assert.equal(isCardNumber(n), false, n);
    }
    assert.equal(isCardNumber('4444444444444444'), false, 'one digit repeated');
  });

  it('finds grouped numbers with one kind of separator, not mixed or run-on ones', () => {
    assert.deepEqual(findCards('4111 1111 1111 1111'), ['4111111111111111']);
    assert.deepEqual(findCards('4111-1111-1111-1111'), ['4111111111111111']);
    assert.deepEqual(findCards('Amex 3782 822463 10005.'), ['378282246310005']);
    assert.deepEqual(findCards('Diners 3056 930902 5904'), ['30569309025904']);
    assert.deepEqual(findCards('4111 1111-1111 1111'), []);
    assert.deepEqual(findCards('id 94111111111111111 or 4111111111111111234567'), []);
    assert.deepEqual(findCards('order-4111111111111111'), []);
    assert.deepEqual(findCards('4111111111111111 exp 12/29'), ['4111111111111111']);
  });

  it('masks as 4111 **** **** 1111', () => {
    assert.equal(maskCard('4111111111111111'), '4111 **** **** 1111');
    assert.equal(maskCard('378282246310005'), '3782 **** *** 0005');
    assert.equal(maskCard('6205500000000000004'), '6205 **** **** *** 0004');
  });
});

describe('iban detector', () => {
  const valid = ['DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'CH9300762011623852957', 'NO9386011117947', 'MT84MALT011000012345MTLCAST001S', 'BE68539007547034'];
  for (const iban of valid) {
    it(`accepts ${iban}`, () => {
      assert.equal(isIban(iban), true);
      const grouped = iban.replace(/(.{4})(?=.)/g, '$1 ');
      assert.deepEqual(findIbans(`IBAN: ${grouped}, thanks`), [iban]);
      assert.deepEqual(findIbans(`IBAN:${iban}`), [iban]);
    });
  }

  it('refuses a wrong checksum, a wrong length, an unknown country', () => {
    assert.equal(ibanChecksumValid('DE89370400440532013001'), false);
    assert.equal(isIban('DE89370400440532013001'), false);
    assert.equal(isIban('GB82WEST1234569876543'), false, 'one character short');
    assert.equal(isIban('DE8937040044053201300000'), false, 'two characters long');
    assert.equal(isIban('XX89370400440532013000'), false);
    assert.deepEqual(findIbans('DE89 3704 0044 0532 0130 01 and GB82 WEST 1234 5698 7654 3'), []);
  });

  it('accepts an IBAN typed in lower case, reported upper case', () => {
    assert.deepEqual(findIbans('my iban is de89 3704 0044 0532 0130 00'), ['DE89370400440532013000']);
  });

  it('stops at the country length when a word follows the groups', () => {
    assert.deepEqual(findIbans('DE89 3704 0044 0532 0130 00 BANK'), ['DE89370400440532013000']);
  });

  it('masks as DE89 **** **** **** **30 00', () => {
    assert.equal(maskIban('DE89370400440532013000'), 'DE89 **** **** **** **30 00');
  });
});

describe('us-ssn detector', () => {
  it('accepts issued forms, dashed or spaced', () => {
    assert.equal(isSsn('536226789'), true);
    assert.deepEqual(findSsns('SSN 536-22-6789'), ['536226789']);
    assert.deepEqual(findSsns('no. 536 22 6789'), ['536226789']);
    assert.deepEqual(findSsns('Social Security number: 536226789'), ['536226789']);
  });

  it('refuses area 000, 666, 9xx, group 00, serial 0000 and the burnt numbers', () => {
    for (const n of ['000-12-3456', '666-12-3456', '900-12-3456', '999-12-3456', '536-00-6789', '536-22-0000', '078-05-1120', '219-09-9999', '123-45-6789']) {
      assert.equal(isSsn(n.replace(/-/g, '')), false, n);
      assert.deepEqual(findSsns(`SSN ${n}`), [], n);
    }
  });

  it('ignores bare nine digits without context, mixed separators and longer numbers', () => {
    assert.deepEqual(findSsns('invoice 536226789'), []);
    assert.deepEqual(findSsns('536-22 6789'), []);
    assert.deepEqual(findSsns('536-22-67890'), []);
    assert.deepEqual(findSsns('+1-536-22-6789-1'), []);
  });

  it('masks as ***-**-6789', () => {
    assert.equal(maskSsn('536226789'), '***-**-6789');
  });
});

describe('aba-routing detector', () => {
  it('accepts real routing numbers near a routing keyword', () => {
    for (const n of ['021000021', '011000015', '121000358', '322271627']) {
      assert.equal(isAbaRouting(n), true, n);
      assert.deepEqual(findAbaRoutings(`ABA routing number: ${n}`), [n]);
    }
    assert.deepEqual(findAbaRoutings('RTN 021000021 / account 1234'), ['021000021']);
  });

  it('refuses a wrong checksum, a wrong Federal Reserve prefix, and numbers without context', () => {
    assert.equal(abaChecksumValid('021000022'), false);
    assert.equal(isAbaRouting('021000022'), false);
    assert.equal(abaChecksumValid('131000005'), true);
    assert.equal(isAbaRouting('131000005'), false, 'prefix 13 is no Federal Reserve district');
    assert.equal(isAbaRouting('000000000'), false);
    assert.deepEqual(findAbaRoutings('routing 021000022'), []);
    assert.deepEqual(findAbaRoutings('order number 021000021'), []);
  });

  it('masks all but the last four digits', () => {
    assert.equal(maskAba('021000021'), '*****0021');
  });
});

describe('email-addresses detector', () => {
  it('finds addresses and lower-cases them', () => {
    assert.deepEqual(findEmails('Write to Alice.Smith+tag@Example.COM or bob@mail.example.org.'), ['alice.smith+tag@example.com', 'bob@mail.example.org']);
    assert.deepEqual(findEmails('not@an address, @example.com, a@b, user@localhost'), []);
  });

  it('stays linear on a long run of address characters', () => {
    const t0 = performance.now();
    findEmails('a'.repeat(2_000_000) + '@');
    findEmails('a.'.repeat(1_000_000));
    assert.ok(performance.now() - t0 < 4000, `took ${performance.now() - t0} ms`); // quadratic would take minutes
  });

  it('masks the mailbox', () => {
    assert.equal(maskEmail('alice@example.com'), 'a***@example.com');
  });
});

describe('custom detectors', () => {
  const config = dlpSchema.parse({
    dictionaries: { secret: ['top secret', 'classified'] },
    detectors: {
      words: { dictionary: 'secret' },
      cased: { keywords: ['Falcon'], caseSensitive: true },
      ids: { regex: 'EMP-[0-9]{6}' },
    },
  });

  it('matches keywords as whole words, any white space between words, case-insensitively by default', () => {
    const re = compileDetector(config.detectors['words']!, config);
    assert.deepEqual(findCustom(re, 'TOP   Secret\nand top\nsecret, declassified, classified.'), ['TOP   Secret', 'top\nsecret', 'classified']);
  });

  it('honours caseSensitive', () => {
    const re = compileDetector(config.detectors['cased']!, config);
    assert.deepEqual(findCustom(re, 'falcon Falcon FALCON Falcons'), ['Falcon']);
  });

  it('runs regexes and masks their hits', () => {
    const re = compileDetector(config.detectors['ids']!, config);
    assert.deepEqual(findCustom(re, 'emp-123456 and EMP-654321'), ['emp-123456', 'EMP-654321']);
    assert.equal(maskCustom('EMP-654321', true), 'EM******21');
    assert.equal(maskCustom('top  secret', false), 'top secret');
  });

  it('refuses bad definitions at config time', () => {
    assert.equal(dlpSchema.safeParse({ detectors: { x: { regex: '(' } } }).success, false);
    assert.equal(dlpSchema.safeParse({ detectors: { x: { regex: 'a*' } } }).success, false, 'matches the empty string');
    assert.equal(dlpSchema.safeParse({ detectors: { x: { keywords: ['a'], regex: 'b' } } }).success, false);
    assert.equal(dlpSchema.safeParse({ detectors: { x: { dictionary: 'missing' } } }).success, false);
    assert.equal(dlpSchema.safeParse({ detectors: { iban: { keywords: ['a'] } } }).success, false, 'shadows a built-in');
  });
});
