/**
 * pgp/discovery/discovery — finds OpenPGP keys for recipients without one: WKD (advanced, then
 * direct when the openpgpkey subdomain does not exist), then the configured HKP(S) servers, with
 * a per-address cache (ttl / negativeTtl), one lookup at a time per address, an audit row per
 * network request, and pinning.
 *
 * Pinning (pgp/learn.ts): a looked-up key never silently replaces a key we already have for the
 * address; a different key is stored `pending`, logged and audited until an administrator acts.
 * Keys must carry a valid user ID of the address (HKP servers accept uploads from anyone; WKD
 * must serve the address's own key) and be v4; larger responses than maxKeySize are refused.
 * SECURITY: responses are untrusted; nothing found here becomes administrator-trusted; every
 * request is audited (address, URL, outcome, fingerprints); no request carries credentials.
 * STANDARDS: draft-koch-openpgp-webkey-service, draft-gallagher-openpgp-hkp.
 */
import type { Logger } from 'pino';
import { hasValidUserId, readKeyBlocks, type PgpKey } from '../../crypto/pgp/index.js';
import { KeyLearner } from '../learn.js';
import type { PgpKeyring } from '../keyring.js';
import type { LookupMethod, PgpLookupStore } from '../types.js';
import { FetchError, httpFetcher, type Fetcher } from './fetcher.js';
import { hkpUrl, wkdUrls } from './urls.js';

export interface DiscoverySettings {
  readonly wkd: boolean;
  readonly hkp: readonly string[];
  readonly ttl: number;
  readonly negativeTtl: number;
  readonly timeout: number;
  readonly maxKeySize: number;
  readonly onKeyChange: 'keep' | 'accept';
  readonly allowHttp: boolean;
}

export interface LookupResult {
  readonly outcome: 'found' | 'not-found' | 'error' | 'cached';
  /** fingerprints of keys now usable-or-pending for the address from this lookup */
  readonly fingerprints: readonly string[];
  /** a different key than the pinned one was published */
  readonly changed: boolean;
}

type Attempt = { kind: 'keys'; keys: PgpKey[]; source: 'wkd' | 'hkp' } | { kind: 'none' } | { kind: 'no-host' } | { kind: 'error'; detail: string };

export class KeyDiscovery {
  readonly #inflight = new Map<string, Promise<LookupResult>>();
  private readonly fetcher: Fetcher;
  private readonly log: Logger | undefined;
  private readonly now: () => number;
  private readonly learner: KeyLearner;

  constructor(
    private readonly keyring: PgpKeyring,
    private readonly lookups: PgpLookupStore,
    private readonly settings: DiscoverySettings,
    options: { fetcher?: Fetcher; logger?: Logger; now?: () => number } = {},
  ) {
    this.fetcher = options.fetcher ?? httpFetcher({ allowHttp: settings.allowHttp });
    this.log = options.logger;
    this.now = options.now ?? Date.now;
    this.learner = new KeyLearner(keyring, lookups, settings.onKeyChange, options.logger, this.now);
  }

  /** Looks keys up for `address` unless a fresh cache entry says the answer; never throws for network trouble. */
  lookup(address: string, options: { force?: boolean } = {}): Promise<LookupResult> {
    const key = address.trim().toLowerCase();
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.run(key, Boolean(options.force)).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  private async run(address: string, force: boolean): Promise<LookupResult> {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) return { outcome: 'not-found', fingerprints: [], changed: false };
    const cached = force ? null : await this.lookups.cacheGet(address);
    if (cached && cached.expiresAt > this.now()) return { outcome: 'cached', fingerprints: cached.fingerprints, changed: false };
    let found: PgpKey[] = [];
    let source: 'wkd' | 'hkp' = 'wkd';
    let errored = false;
    if (this.settings.wkd) {
      const urls = wkdUrls(address);
      const advanced = await this.attempt(address, 'wkd-advanced', urls.advanced);
      const result = advanced.kind === 'no-host' ? await this.attempt(address, 'wkd-direct', urls.direct) : advanced;
      if (result.kind === 'keys') ({ keys: found, source } = result);
      if (result.kind === 'error') errored = true;
    }
    for (const server of this.settings.hkp) {
      if (found.length > 0) break;
      const r = await this.attempt(address, 'hkp', hkpUrl(server, address));
      if (r.kind === 'keys') ({ keys: found, source } = r);
      if (r.kind === 'error') errored = true;
    }
    const stored = found.length > 0 ? await this.learner.learn(address, found, source, source === 'hkp' ? 'hkp' : 'wkd-advanced') : { fingerprints: [], changed: false };
    const outcome = found.length > 0 ? 'found' : errored ? 'error' : 'not-found';
    const now = this.now();
    await this.lookups.cachePut({ address, outcome, fingerprints: stored.fingerprints, fetchedAt: now, expiresAt: now + (outcome === 'found' ? this.settings.ttl : this.settings.negativeTtl) });
    return { outcome, ...stored };
  }

  /** One request, audited; keys filtered to v4 keys with a valid user ID of the address. */
  private async attempt(address: string, method: LookupMethod, url: string): Promise<Attempt> {
    const audit = (outcome: 'found' | 'not-found' | 'error', fingerprints: string[], detail: string) => this.lookups.audit({ address, method, url, outcome, fingerprints, detail });
    let status: number;
    let body: Buffer;
    try {
      ({ status, body } = await this.fetcher(url, { timeoutMs: this.settings.timeout, maxBytes: this.settings.maxKeySize }));
    } catch (err) {
      const kind = err instanceof FetchError ? err.kind : 'network';
      const detail = `${kind}: ${err instanceof Error ? err.message : String(err)}`;
      // the advanced method's host does not exist: fall back to the direct method (draft §3.1)
      const noHost = method === 'wkd-advanced' && kind === 'network' && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(detail);
      await audit(noHost ? 'not-found' : 'error', [], detail);
      this.log?.info({ event: 'pgp.discovery.lookup', address, method, outcome: noHost ? 'not-found' : 'error', detail }, 'key lookup failed');
      return noHost ? { kind: 'no-host' } : { kind: 'error', detail };
    }
    if (status === 404 || status === 410) {
      await audit('not-found', [], `HTTP ${status}`);
      return { kind: 'none' };
    }
    if (status !== 200) {
      await audit('error', [], `HTTP ${status}`);
      return { kind: 'error', detail: `HTTP ${status}` };
    }
    let keys: PgpKey[];
    try {
      keys = await readKeyBlocks(body);
    } catch (err) {
      await audit('error', [], `not an OpenPGP key: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300));
      return { kind: 'error', detail: 'not an OpenPGP key' };
    }
    const usable: PgpKey[] = [];
    const skipped: string[] = [];
    for (const k of keys) {
      const fp = k.getFingerprint().toLowerCase();
      if (k.isPrivate()) skipped.push(`${fp}: a secret key was served`);
      else if (k.keyPacket.version !== 4) skipped.push(`${fp}: v${k.keyPacket.version} key`);
      else if (!(await hasValidUserId(k, address, this.now()))) skipped.push(`${fp}: no valid user ID for the address`);
      else usable.push(k.toPublic());
    }
    const fps = usable.map((k) => k.getFingerprint().toLowerCase());
    await audit(usable.length > 0 ? 'found' : 'not-found', fps, skipped.join('; '));
    this.log?.info({ event: 'pgp.discovery.lookup', address, method, outcome: usable.length > 0 ? 'found' : 'not-found', fingerprints: fps }, 'key lookup');
    return usable.length > 0 ? { kind: 'keys', keys: usable, source: method === 'hkp' ? 'hkp' : 'wkd' } : { kind: 'none' };
  }
}
