/**
 * PDF passwords the gateway makes up: 20 characters from Crockford's base32 alphabet (digits and
 * lower-case letters without i, l, o, u — nothing to confuse when read aloud or typed from a
 * phone), in four groups of five: 100 bits from node:crypto, e.g. `7kq2m-xj9fd-0ht4c-pbw3e`.
 * 256 is a multiple of 32, so taking 5 bits of each random byte is unbiased.
 */
import { randomBytes } from 'node:crypto';

export const PASSWORD_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function generatePassword(groups = 4, groupLength = 5): string {
  const bytes = randomBytes(groups * groupLength);
  const chars = [...bytes].map((b) => PASSWORD_ALPHABET[b & 31]!);
  const out: string[] = [];
  for (let g = 0; g < groups; g++) out.push(chars.slice(g * groupLength, (g + 1) * groupLength).join(''));
  return out.join('-');
}

/** Bits of entropy of generatePassword(groups, groupLength). */
export const passwordBits = (groups = 4, groupLength = 5): number => groups * groupLength * 5;
