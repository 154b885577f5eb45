/** Header values as rules see them: RFC 2047 encoded-words decoded, so a tag survives any client's encoding. */
import libmime from 'libmime';

export function decodeHeader(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
