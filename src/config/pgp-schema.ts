/**
 * config/pgp-schema — the `pgp` section of sealpost.yaml: domain keys, PGP/INLINE recipients,
 * decompression limit, key discovery (WKD, HKP) and Autocrypt learning. Mounted in schema.ts.
 * SECURITY: discovery is off by default (it reveals recipients to key servers and the
 * recipient's domain); learnt keys are never trusted over an administrator's (pinning).
 */
import { z } from 'zod';
import { domainPattern, duration, size } from './fields.js';

/** A key in the keyring, named by its fingerprint (= its id in `pgp list`). */
export const pgpFingerprint = z
  .string()
  .transform((s) => s.replace(/[\s:]/g, '').toLowerCase())
  .pipe(z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, { message: 'expected an OpenPGP fingerprint: 40 hex digits (spaces allowed), the id `sealpost pgp list` shows' }));

const pgpDomain = z.strictObject({
  domain: domainPattern.describe('recipient domain; `*.example.com` = its subdomains; an exact entry wins over patterns'),
  keys: z.array(pgpFingerprint).min(1).describe('domain keys (domain-to-domain PGP): every message to the domain is encrypted to these; inbound mail for our own domain is decrypted with the ones whose secret key we hold'),
});

const hkpServer = z.string().regex(/^(hkps?|https?):\/\/[^\s/]+(:\d+)?\/?$/i, { message: 'expected hkps://host[:port] (or hkp://, http://, https://)' });

export const pgpSection = z
  .strictObject({
    domains: z
      .array(pgpDomain)
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((d, i) => {
          if (seen.has(d.domain)) ctx.addIssue({ code: 'custom', path: [i, 'domain'], message: `${d.domain} is already configured`, input: d.domain });
          seen.add(d.domain);
        });
      })
      .describe('per-domain OpenPGP keys (domain-to-domain encryption)'),
    inline: z.array(domainPattern.or(z.string().regex(/^[^\s@]+@[^\s@]+$/).transform((s) => s.toLowerCase()))).default([]).describe('recipients (addresses, domains or *.domains) that get PGP/INLINE (text/plain bodies only) instead of PGP/MIME; others always get PGP/MIME'),
    maxDecompressedSize: size.prefault('64MB').describe('inbound: an OpenPGP message that decompresses to more than this fails to decrypt (decompression bombs)'),
    discovery: z
      .strictObject({
        enabled: z.boolean().default(false).describe('look up keys for recipients without one (outbound); every lookup is audited'),
        wkd: z.boolean().default(true).describe('Web Key Directory: advanced (openpgpkey.<domain>) then direct method'),
        hkp: z.array(hkpServer).default([]).describe('HKP(S) key servers asked after WKD, in order, e.g. hkps://keys.openpgp.org'),
        ttl: duration.prefault('1d').describe('a found key is looked up again after this'),
        negativeTtl: duration.prefault('1h').describe('an address without a published key (or a failed lookup) is asked again after this'),
        timeout: duration.prefault('5s').describe('per HTTP request'),
        maxKeySize: size.prefault('256KB').describe('larger responses are refused'),
        useLearntKeys: z.boolean().default(true).describe('keys found by discovery (or Autocrypt) may encrypt; off = they are stored for an administrator to trust with `pgp trust`'),
        onKeyChange: z.enum(['keep', 'accept']).default('keep').describe('a lookup finds another key than the pinned one: keep = the pinned key stays, the new one is stored as pending (logged, audited) until an administrator imports or trusts it; accept = a learnt key may be replaced by a newer learnt one (an administrator\'s key is never replaced)'),
        allowHttp: z.boolean().default(false).describe('tests only: allow http:// WKD/HKP URLs'),
      })
      .prefault({}),
    autocrypt: z
      .strictObject({
        learn: z.boolean().default(false).describe('learn keys from Autocrypt headers of inbound mail whose PGP signature verified'),
      })
      .prefault({}),
  })
  .prefault({});

export type PgpConfig = z.output<typeof pgpSection>;
