/**
 * pgp/learn — storing keys that were not handed over by an administrator (WKD, HKP, Autocrypt)
 * under the pinning rules: a learnt key never silently replaces a key we already have.
 * - the same fingerprint: the new material is merged (revocations, expiry updates); trust never
 *   moves down;
 * - a different key while the address has an administrator's (trusted) key: stored `pending`
 *   (never used), logged as a warning and audited `changed`, until an administrator imports it
 *   or runs `pgp trust`;
 * - a different key while the address has only learnt keys: `onKeyChange: keep` (default) as
 *   above; `accept` makes the new key learnt and the old one pending (logged, audited).
 * SECURITY: nothing learnt becomes administrator-trusted; every change is audited.
 */
import type { Logger } from 'pino';
import { describeKey, type PgpKey } from '../crypto/pgp/index.js';
import type { PgpKeyring } from './keyring.js';
import type { LookupMethod, PgpLookupStore } from './types.js';

export type LearntSource = 'wkd' | 'hkp' | 'autocrypt';

export class KeyLearner {
  constructor(
    private readonly keyring: PgpKeyring,
    private readonly lookups: PgpLookupStore,
    private readonly onKeyChange: 'keep' | 'accept',
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async learn(address: string, keys: readonly PgpKey[], source: LearntSource, method: LookupMethod): Promise<{ fingerprints: string[]; changed: boolean }> {
    const existing = await this.keyring.store.byEmail(address);
    const pinnedAdmin = existing.filter((r) => r.trust === 'trusted');
    const pinnedLearnt = existing.filter((r) => r.trust === 'learnt');
    const fingerprints: string[] = [];
    let changed = false;
    for (const key of keys) {
      const fp = key.getFingerprint().toLowerCase();
      const same = existing.find((r) => r.fingerprint === fp);
      if (same) {
        await this.keyring.add(key, { source: same.source, trust: same.trust === 'pending' ? 'pending' : 'learnt' });
        fingerprints.push(fp);
        continue;
      }
      const info = await describeKey(key, this.now());
      if (pinnedAdmin.length > 0 || (pinnedLearnt.length > 0 && this.onKeyChange === 'keep')) {
        changed = true;
        await this.keyring.add(key, { source, trust: 'pending' });
        const pinned = (pinnedAdmin.length > 0 ? pinnedAdmin : pinnedLearnt).map((r) => r.fingerprint);
        await this.lookups.audit({ address, method, url: '(pinning)', outcome: 'changed', fingerprints: [fp], detail: `pinned ${pinned.join(',')} kept; the new key is pending until an administrator imports or trusts it` });
        this.log?.warn({ event: 'pgp.discovery.key-changed', address, source, pinned, published: fp, algorithm: info.algorithm }, 'a different OpenPGP key was offered for this address; the pinned key stays');
        fingerprints.push(fp);
        continue;
      }
      if (pinnedLearnt.length > 0) {
        changed = true;
        for (const old of pinnedLearnt) await this.keyring.store.setTrust(old.fingerprint, 'pending');
        await this.lookups.audit({ address, method, url: '(pinning)', outcome: 'changed', fingerprints: [fp], detail: `learnt ${pinnedLearnt.map((r) => r.fingerprint).join(',')} replaced (onKeyChange: accept)` });
        this.log?.warn({ event: 'pgp.discovery.key-changed', address, source, replaced: pinnedLearnt.map((r) => r.fingerprint), published: fp }, 'a learnt OpenPGP key was replaced by a newly offered one (onKeyChange: accept)');
      }
      await this.keyring.add(key, { source, trust: 'learnt' });
      fingerprints.push(fp);
    }
    return { fingerprints, changed };
  }
}
