/**
 * Payment card numbers: Luhn (ISO/IEC 7812-1 annex B) plus issuer prefix ranges and lengths, so a
 * random 16-digit number that happens to pass Luhn (one in ten) still has to look like a card.
 * Written contiguous or grouped with one kind of separator (space or dash): 4-4-4-4(-3),
 * 4-6-5 (Amex), 4-6-4 (Diners).
 * SECURITY: the candidate regex has bounded repetition and no nested quantifiers (linear time on
 * hostile text); matches are only ever reported masked.
 */

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'jcb' | 'diners' | 'unionpay' | 'maestro';

interface IssuerRange {
  readonly brand: CardBrand;
  /** inclusive prefix range, compared on the first `from.length` digits */
  readonly from: string;
  readonly to: string;
  readonly lengths: readonly number[];
}

const r = (brand: CardBrand, from: string, to: string, lengths: readonly number[]): IssuerRange => ({ brand, from, to, lengths });
const L16_19 = [16, 17, 18, 19];

// Sources: the networks' published IIN ranges as collected in ISO/IEC 7812 registries (2024).
const RANGES: readonly IssuerRange[] = [
  r('visa', '4', '4', [13, 16, 19]),
  r('mastercard', '51', '55', [16]),
  r('mastercard', '2221', '2720', [16]),
  r('amex', '34', '34', [15]),
  r('amex', '37', '37', [15]),
  r('discover', '6011', '6011', L16_19),
  r('discover', '644', '649', L16_19),
  r('discover', '65', '65', L16_19),
  r('discover', '622126', '622925', L16_19),
  r('jcb', '3528', '3589', L16_19),
  r('diners', '300', '305', [14, 15, 16, 17, 18, 19]),
  r('diners', '3095', '3095', [14, 15, 16, 17, 18, 19]),
  r('diners', '36', '36', [14, 15, 16, 17, 18, 19]),
  r('diners', '38', '39', [14, 15, 16, 17, 18, 19]),
  r('unionpay', '62', '62', L16_19),
  r('unionpay', '81', '81', L16_19),
  r('maestro', '5018', '5018', [12, 13, 14, 15, 16, 17, 18, 19]),
  r('maestro', '5020', '5020', [12, 13, 14, 15, 16, 17, 18, 19]),
  r('maestro', '5038', '5038', [12, 13, 14, 15, 16, 17, 18, 19]),
  r('maestro', '5893', '5893', [12, 13, 14, 15, 16, 17, 18, 19]),
  r('maestro', '6304', '6304', [12, 13, 14, 15, 16, 17, 18, 19]),
  r('maestro', '6759', '6759', [12, 13, 14, 15, 16, 17, 18, 19]),
  r('maestro', '6761', '6763', [12, 13, 14, 15, 16, 17, 18, 19]),
];

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** The brand whose range and length the number fits, or null. */
export function cardBrand(digits: string): CardBrand | null {
  for (const range of RANGES) {
    const prefix = digits.slice(0, range.from.length);
    if (prefix.length === range.from.length && prefix >= range.from && prefix <= range.to && range.lengths.includes(digits.length)) return range.brand;
  }
  return null;
}

/** A valid card number: digits only, issuer range and length, Luhn, not one digit repeated. */
export function isCardNumber(digits: string): boolean {
  return /^\d{12,19}$/.test(digits) && !/^(\d)\1+$/.test(digits) && cardBrand(digits) !== null && luhnValid(digits);
}

/** `4111 **** **** 1111`: first and last four digits, the rest masked in groups of four. */
export function maskCard(digits: string): string {
  const middle = '*'.repeat(digits.length - 8).replace(/(.{4})(?=.)/g, '$1 ');
  return `${digits.slice(0, 4)} ${middle} ${digits.slice(-4)}`;
}

// contiguous 12–19 digits, or grouped with one separator kind (backreference keeps it consistent)
const CANDIDATE = /(?<![\w.-])(?:\d{12,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\w]|[-.,]\d)/g;

/** Valid card numbers in `text`, as digit strings (with repeats). */
export function findCards(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (isCardNumber(digits)) out.push(digits);
  }
  return out;
}
