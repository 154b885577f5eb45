/**
 * pgp/ — the OpenPGP keyring, key selection and key discovery, wired from the `pgp` config
 * section over the store interfaces (pgp/types.ts):
 *   keyring    — import / generate / parse stored keys / unwrap hosted secret keys
 *   selector   — encryption keys per recipient, signing key per sender, decryption keys per
 *                recipient, verification keys per key id (select.ts)
 *   discovery  — WKD / HKP lookups with cache, pinning and audit (discovery/), null when off
 *   learning   — discovered and Autocrypt keys stored under the pinning rules (learn.ts)
 *   unwrapDeps — what unwrap/pgp-unwrap.ts needs
 * SECURITY: see select.ts (fail closed), keyring.ts (keys at rest), discovery/ (pinning).
 */
import type { Logger } from 'pino';
import type { PgpConfig } from '../config/pgp-schema.js';
import type { KeyWrapper } from '../keystore/key-wrap.js';
import type { PgpUnwrapDeps } from '../unwrap/pgp-unwrap.js';
import { KeyDiscovery, type Fetcher } from './discovery/index.js';
import { PgpKeyring } from './keyring.js';
import { KeyLearner } from './learn.js';
import type { PgpPublicKey } from '../crypto/pgp/index.js';
import { PgpSelector } from './select.js';
import type { PgpStores } from './types.js';

export * from './types.js';
export { PgpKeyring } from './keyring.js';
export { PgpSelector, pgpDomainFor, type PgpDomainConfig } from './select.js';

export interface Pgp {
  readonly keyring: PgpKeyring;
  readonly selector: PgpSelector;
  readonly discovery: KeyDiscovery | null;
  readonly unwrapDeps: PgpUnwrapDeps;
}

export interface CreatePgpOptions {
  readonly wrapper: KeyWrapper | null;
  /** config internalDomains: keys of internal addresses are never learnt */
  readonly internalDomains?: readonly string[];
  readonly logger?: Logger;
  /** HTTP transport for WKD/HKP (tests point it at local servers); default httpFetcher (node:http/https, size-capped, no redirects to http) */
  readonly fetcher?: Fetcher;
  readonly now?: () => number;
}

export function createPgp(stores: PgpStores, config: PgpConfig, options: CreatePgpOptions): Pgp {
  const now = options.now ?? Date.now;
  const isInternal = (address: string) => {
    const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
    return (options.internalDomains ?? []).some((d) => (d.startsWith('*.') ? domain.endsWith(d.slice(1)) : domain === d.toLowerCase()));
  };
  const keyring = new PgpKeyring(stores.keys, options.wrapper, now);
  const learner = new KeyLearner(keyring, stores.lookups, config.discovery.onKeyChange, options.logger, now);
  const discovery = config.discovery.enabled ? new KeyDiscovery(keyring, stores.lookups, config.discovery, { ...(options.fetcher ? { fetcher: options.fetcher } : {}), ...(options.logger ? { logger: options.logger } : {}), now }) : null;
  const selector = new PgpSelector(keyring, { domains: config.domains, useLearnt: config.discovery.useLearntKeys, ...(discovery ? { discover: (address: string) => discovery.lookup(address) } : {}) });
  const unwrapDeps: PgpUnwrapDeps = {
    decryptionKeys: (addresses) => selector.decryptionKeys(addresses),
    verificationKeys: (keyIds) => selector.verificationKeys(keyIds),
    maxDecompressedBytes: config.maxDecompressedSize,
    ...(config.autocrypt.learn
      ? {
          learnAutocrypt: async (address: string, key: PgpPublicKey, messageId: string) => {
            // our own users' keys come from administrators only: a forged From must not plant one
            if (isInternal(address)) return;
            const r = await learner.learn(address, [key], 'autocrypt', 'autocrypt');
            await stores.lookups.audit({ address, method: 'autocrypt', url: `message ${messageId}`.slice(0, 300), outcome: r.changed ? 'changed' : 'found', fingerprints: r.fingerprints, detail: 'Autocrypt header of a message whose signature verified with this key' });
          },
        }
      : {}),
    now,
  };
  return { keyring, selector, discovery, unwrapDeps };
}
