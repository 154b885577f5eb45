/**
 * IBANs (ISO 13616): country code, two check digits, the national BBAN; valid when the length
 * is the country's and the ISO 7064 MOD 97-10 checksum gives 1. Written compact or in groups
 * of four separated by single spaces (the paper format).
 * SECURITY: the candidate regex is bounded (at most 9 groups); matches are reported masked.
 */

// Lengths from the SWIFT IBAN registry (release 99, 2025).
const LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28,
  IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28,
  NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

export function ibanLength(country: string): number | undefined {
  return LENGTHS[country];
}

/** MOD 97-10 over the rearranged IBAN (ISO 7064), computed piecewise so no big integers are needed. */
export function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let rest = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 && code <= 90 ? code - 55 : code >= 48 && code <= 57 ? code - 48 : -1;
    if (value < 0) return false;
    rest = value > 9 ? (rest * 100 + value) % 97 : (rest * 10 + value) % 97;
  }
  return rest === 1;
}

/** A compact, upper-case IBAN with the right length for its country and a valid checksum. */
export function isIban(compact: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  return LENGTHS[compact.slice(0, 2)] === compact.length && ibanChecksumValid(compact);
}

/** `DE89 **** **** **** **30 00`: country and check digits, the last four characters, the rest masked. */
export function maskIban(compact: string): string {
  const masked = compact.slice(0, 4) + '*'.repeat(compact.length - 8) + compact.slice(-4);
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}

// a country code and check digits, then the BBAN compact or in space-separated groups of 1–4;
// lower case too (typed by hand): the length table and MOD 97 keep that from adding false hits
const CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?)(?![A-Za-z0-9])/g;

/** Valid IBANs in `text`, compact and upper-case (with repeats). */
export function findIbans(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    const compact = m[0].replace(/ /g, '').toUpperCase();
    const expected = LENGTHS[compact.slice(0, 2)];
    if (expected === undefined) continue;
    // grouped text can run into a following word ("… 0130 00 BANK"): cut at the country's length
    if (compact.length === expected ? isIban(compact) : compact.length > expected && m[0].includes(' ') && isIban(compact.slice(0, expected))) {
      out.push(compact.slice(0, expected));
    }
  }
  return out;
}
