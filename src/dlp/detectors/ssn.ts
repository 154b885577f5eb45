/**
 * US Social Security numbers. Since 2011 numbers are random, so only the never-issued forms can
 * be refused (SSA, "Social Security Number Randomization"): area 000, 666 and 900–999, group 00,
 * serial 0000, and numbers publicly burnt by misuse in advertising (078-05-1120, 219-09-9999)
 * or used as the textbook example (123-45-6789).
 * Written AAA-GG-SSSS or AAA GG SSSS; nine bare digits count only near the words "SSN" or
 * "social security", since every nine-digit number would otherwise match.
 */

const INVALID = new Set(['078051120', '219099999', '123456789']);

export function isSsn(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || INVALID.has(digits)) return false;
  const area = Number(digits.slice(0, 3));
  const group = digits.slice(3, 5);
  const serial = digits.slice(5);
  if (area === 0 || area === 666 || area >= 900) return false;
  return group !== '00' && serial !== '0000';
}

export function maskSsn(digits: string): string {
  return `***-**-${digits.slice(5)}`;
}

const FORMATTED = /(?<![\w-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\w]|-\d)/g;
const BARE = /(?<![\w-])\d{9}(?![\w]|-\d)/g;
const CONTEXT = /\b(?:ssn|ss#|social\s+security)/i;

/** Valid SSNs in `text`, as nine digits (with repeats). */
export function findSsns(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(FORMATTED)) {
    const digits = m[1]! + m[3]! + m[4]!;
    if (isSsn(digits)) out.push(digits);
  }
  for (const m of text.matchAll(BARE)) {
    if (isSsn(m[0]) && CONTEXT.test(text.slice(Math.max(0, m.index - 50), m.index))) out.push(m[0]);
  }
  return out;
}
