/**
 * ABA routing transit numbers (US banks): nine digits, the first two in the Federal Reserve
 * ranges 01–12, 21–32, 61–72 or 80, and the 3-7-1 weighted checksum ≡ 0 (mod 10).
 * One random nine-digit number in ten passes the checksum, so a number counts only with one of
 * the words routing, ABA, RTN or transit within 60 characters before it — the same rule the
 * large DLP products apply.
 */

const WEIGHTS = [3, 7, 1, 3, 7, 1, 3, 7, 1];

export function abaChecksumValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return sum % 10 === 0;
}

export function isAbaRouting(digits: string): boolean {
  if (!abaChecksumValid(digits) || digits === '000000000') return false;
  const prefix = Number(digits.slice(0, 2));
  return (prefix >= 1 && prefix <= 12) || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80;
}

export function maskAba(digits: string): string {
  return `*****${digits.slice(5)}`;
}

const CANDIDATE = /(?<![\w-])\d{9}(?![\w]|-\d)/g;
const CONTEXT = /\b(?:routing|aba|rtn|transit)\b/i;

/** Valid routing numbers near a routing keyword in `text` (with repeats). */
export function findAbaRoutings(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(CANDIDATE)) {
    if (isAbaRouting(m[0]) && CONTEXT.test(text.slice(Math.max(0, m.index - 60), m.index))) out.push(m[0]);
  }
  return out;
}
