/**
 * E-mail addresses in text (a mass export of a customer list is the usual leak). Addresses are
 * compared lower-case, so the count is of distinct mailboxes.
 * SECURITY: the lookbehind lets a match start only where an address can start, so a long run of
 * letters without "@" is walked once, not once per position (no quadratic backtracking).
 */

const ADDRESS = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g;

export function findEmails(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(ADDRESS)) out.push(m[0].toLowerCase());
  return out;
}

/** `j***@example.com`: the domain stays (it says whose data it is), the mailbox is masked. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, 1)}***${address.slice(at)}`;
}
