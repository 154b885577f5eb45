/**
 * pgp/discovery/urls — where keys for an address are published: Web Key Directory (advanced and
 * direct method, draft-koch-openpgp-webkey-service §3.1) and HKP(S) key servers
 * (draft-gallagher-openpgp-hkp §3).
 * The WKD hash is the z-base-32 encoding (RFC 6189 §5.1.6 alphabet) of the SHA-1 of the
 * lowercased local part; `l=` carries the local part as written (percent-encoded).
 */
import { createHash } from 'node:crypto';

const ZBASE32 = 'ybndrfg8ejkmcpqxot1uwisza345h769';

export function zbase32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ZBASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ZBASE32[(value << (5 - bits)) & 31];
  return out;
}

export function wkdHash(localPart: string): string {
  return zbase32(createHash('sha1').update(localPart.toLowerCase(), 'utf8').digest());
}

export function splitAddress(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) throw new Error(`not an address: ${address}`);
  return { local: address.slice(0, at), domain: address.slice(at + 1).toLowerCase() };
}

export function wkdUrls(address: string): { advanced: string; direct: string } {
  const { local, domain } = splitAddress(address);
  const hu = `${wkdHash(local)}?l=${encodeURIComponent(local)}`;
  return {
    advanced: `https://openpgpkey.${domain}/.well-known/openpgpkey/${domain}/hu/${hu}`,
    direct: `https://${domain}/.well-known/openpgpkey/hu/${hu}`,
  };
}

/** hkps://host[:port] → https://host[:port]/pks/lookup?op=get&options=mr&search=<address>; hkp:// → http, port 11371. */
export function hkpUrl(server: string, address: string): string {
  const m = /^(hkps?|https?):\/\/([^/\s]+?)\/?$/i.exec(server);
  if (!m) throw new Error(`not an HKP server URL: ${server}`);
  const scheme = m[1]!.toLowerCase();
  let host = m[2]!;
  const secure = scheme === 'hkps' || scheme === 'https';
  if (scheme === 'hkp' && !/:\d+$/.test(host)) host = `${host}:11371`;
  return `${secure ? 'https' : 'http'}://${host}/pks/lookup?op=get&options=mr&search=${encodeURIComponent(address)}`;
}
