/**
 * A small password-strength check in the spirit of zxcvbn, without its 800 KB of dictionaries:
 * at least 12 characters (NIST SP 800-63B allows a lower floor; we ask a little more because the
 * portal guards whole mailboxes), and no password whose length comes only from repetition,
 * keyboard or alphabet runs, a very common password or the user's own address.
 * No composition rules (upper/digit/symbol) and no periodic change, as SP 800-63B §5.1.1.2 advises.
 */

export const MIN_LENGTH = 12;
/** argon2 hashes anything, but an unbounded input is a cheap way to burn our CPU */
export const MAX_LENGTH = 256;

const COMMON = [
  'password', 'passwort', 'motdepasse', 'contraseña', 'senha', 'wachtwoord', 'haslo', 'parola',
  'qwerty', 'azerty', 'qwertz', 'letmein', 'welcome', 'iloveyou', 'admin', 'login', 'secret',
  'dragon', 'monkey', 'football', 'baseball', 'sunshine', 'princess', 'starwars', 'master',
  'changeme', 'trustno1', 'secure', 'message', 'summer', 'winter', 'spring', 'autumn',
];

const RUNS = ['abcdefghijklmnopqrstuvwxyz', '01234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'azertyuiop', 'qwertzuiop'];

export type StrengthVerdict = { ok: true } | { ok: false; reason: 'short' | 'long' | 'weak' };

/**
 * Length after removing what guessers try first: runs of one character, ascending/descending
 * alphabet and keyboard runs, dictionary words from `words`. What is left must still be long.
 */
function effectiveLength(pw: string, words: readonly string[]): number {
  let s = pw.toLowerCase();
  for (const w of words) if (w.length >= 3) s = s.split(w).join('\u0001');
  const chars = [...s];
  let length = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\u0001') {
      length += 1; // a known word still adds a little: which one, and where
      continue;
    }
    const prev = chars[i - 1];
    if (prev === c) continue;
    if (prev !== undefined && RUNS.some((r) => r.includes(prev + c) || [...r].reverse().join('').includes(prev + c))) continue;
    length += 1;
  }
  return length;
}

export function checkPasswordStrength(password: string, context: readonly string[] = []): StrengthVerdict {
  const length = [...password].length;
  if (length < MIN_LENGTH) return { ok: false, reason: 'short' };
  if (length > MAX_LENGTH) return { ok: false, reason: 'long' };
  const contextWords = context.flatMap((c) => c.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length >= 3);
  const distinct = new Set(password.toLowerCase()).size;
  if (distinct < 5) return { ok: false, reason: 'weak' };
  if (effectiveLength(password, [...COMMON, ...contextWords]) < 8) return { ok: false, reason: 'weak' };
  return { ok: true };
}
