/**
 * Header values as rules see them: raw UTF-8 (RFC 6532) and RFC 2047 encoded words decoded, so a
 * tag survives any client's encoding (mime/read.ts does the decoding for every reader).
 */
import { decodeWords } from '../mime/read.js';

export function decodeHeader(value: string | undefined): string {
  return value === undefined ? '' : decodeWords(value);
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
