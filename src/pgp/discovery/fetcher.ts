/**
 * pgp/discovery/fetcher — the one HTTP transport key discovery uses: GET with a timeout for the
 * whole response, a size cap while streaming, no redirects to other schemes, no cookies, no
 * credentials. Injectable (tests and operators' proxies): `resolve` maps a host name to the
 * address actually connected to, `ca` adds trust anchors (the SNI/Host and the certificate name
 * check stay the original host).
 * SECURITY: responses are untrusted; only status and bytes (≤ maxBytes) come back. http:// is
 * refused unless allowed (tests).
 */
import http from 'node:http';
import https from 'node:https';

export type FetchFailure = 'network' | 'timeout' | 'too-large' | 'refused';

export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly kind: FetchFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface FetchResult {
  readonly status: number;
  readonly body: Buffer;
}

export type Fetcher = (url: string, limits: { readonly timeoutMs: number; readonly maxBytes: number }) => Promise<FetchResult>;

export interface HttpFetcherOptions {
  readonly allowHttp?: boolean;
  /** host → where to connect instead (tests: 127.0.0.1 and a port) */
  readonly resolve?: (host: string) => { host: string; port: number } | null;
  readonly ca?: string | readonly string[];
  /** redirects followed (same scheme or up to https), default 3 */
  readonly maxRedirects?: number;
}

export function httpFetcher(options: HttpFetcherOptions = {}): Fetcher {
  const get = (url: string, limits: { timeoutMs: number; maxBytes: number }, deadline: number, redirects: number): Promise<FetchResult> =>
    new Promise((resolve, reject) => {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        return reject(new FetchError('refused', `bad URL ${url}`));
      }
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && options.allowHttp)) return reject(new FetchError('refused', `${u.protocol} URLs are not allowed`));
      if (u.username || u.password) return reject(new FetchError('refused', 'credentials in URLs are not allowed'));
      const target = options.resolve?.(u.hostname) ?? null;
      const mod = u.protocol === 'https:' ? https : http;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return reject(new FetchError('timeout', `no answer within ${limits.timeoutMs} ms`));
      const req = mod.request(
        {
          method: 'GET',
          host: target?.host ?? u.hostname,
          port: target?.port ?? (u.port || (u.protocol === 'https:' ? 443 : 80)),
          path: `${u.pathname}${u.search}`,
          headers: { host: u.host, accept: 'application/octet-stream, application/pgp-keys, */*', 'user-agent': 'sealpost-key-discovery' },
          servername: u.hostname,
          ...(options.ca ? { ca: options.ca as string | string[] } : {}),
          timeout: remaining,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400 && res.headers.location && redirects < (options.maxRedirects ?? 3)) {
            res.resume();
            const next = new URL(res.headers.location, u);
            if (u.protocol === 'https:' && next.protocol !== 'https:') return reject(new FetchError('refused', 'redirect from https to another scheme'));
            return get(next.toString(), limits, deadline, redirects + 1).then(resolve, reject);
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limits.maxBytes) {
              req.destroy(new FetchError('too-large', `response larger than ${limits.maxBytes} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
          res.on('error', (err) => reject(err instanceof FetchError ? err : new FetchError('network', err.message)));
        },
      );
      const timer = setTimeout(() => req.destroy(new FetchError('timeout', `no answer within ${limits.timeoutMs} ms`)), remaining);
      timer.unref();
      req.on('close', () => clearTimeout(timer));
      req.on('timeout', () => req.destroy(new FetchError('timeout', `no answer within ${limits.timeoutMs} ms`)));
      req.on('error', (err) => reject(err instanceof FetchError ? err : new FetchError('network', (err as NodeJS.ErrnoException).code ?? err.message)));
      req.end();
    });
  return (url, limits) => get(url, limits, Date.now() + limits.timeoutMs, 0);
}
