/**
 * pgp/discovery — key discovery for recipients without a key: WKD and HKP(S) through an
 * injectable fetcher, with cache, pinning and an audit row per request (discovery.ts).
 * SECURITY: see discovery.ts and fetcher.ts. STANDARDS: draft-koch-openpgp-webkey-service,
 * draft-gallagher-openpgp-hkp.
 */
export { KeyDiscovery, type DiscoverySettings, type LookupResult } from './discovery.js';
export { FetchError, httpFetcher, type Fetcher, type FetchResult, type HttpFetcherOptions } from './fetcher.js';
export { hkpUrl, wkdHash, wkdUrls, zbase32 } from './urls.js';
