/**
 * pki/crl-fetch — downloads CRLs from distribution points over plain HTTP.
 *
 * HTTP only, on purpose: CRLs are signed, so transport security adds nothing, and an https
 * distribution point would need a TLS certificate whose own revocation is checked — a loop
 * RFC 5280 §4.2.1.13 avoids by recommending http (and ldap, which is not supported). Limits:
 * a timeout for the whole exchange (connect, headers and body), a maximum size (checked against
 * Content-Length up front and while reading), at most three redirects, to http only.
 * The fetcher is an interface so tests (and a future proxy-aware variant) can supply their own;
 * the tests point this one at a node:http server on 127.0.0.1, never at the internet.
 * SECURITY: the response body is untrusted bytes; callers verify the CRL's signature.
 */
import http from 'node:http';

export interface CrlFetcher {
  /** The body at `url` (PEM or DER); rejects with CrlFetchError. */
  fetch(url: string): Promise<Buffer>;
}

export class CrlFetchError extends Error {
  override readonly name = 'CrlFetchError';
}

export interface HttpCrlFetcherOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects?: number;
  readonly userAgent?: string;
}

export class HttpCrlFetcher implements CrlFetcher {
  constructor(private readonly opts: HttpCrlFetcherOptions) {}

  async fetch(url: string): Promise<Buffer> {
    const deadline = Date.now() + this.opts.timeoutMs;
    let current = url;
    for (let hop = 0; ; hop++) {
      const r = await this.#get(current, deadline);
      if (r.kind === 'body') return r.body;
      if (hop >= (this.opts.maxRedirects ?? 3)) throw new CrlFetchError('too many redirects');
      current = new URL(r.location, current).toString();
    }
  }

  #get(url: string, deadline: number): Promise<{ kind: 'body'; body: Buffer } | { kind: 'redirect'; location: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return Promise.reject(new CrlFetchError('not a URL'));
    }
    if (parsed.protocol !== 'http:') return Promise.reject(new CrlFetchError('only http:// distribution points are fetched'));
    const maxBytes = this.opts.maxBytes;
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let req: http.ClientRequest | undefined;
      const done = (err: Error | null, value?: { kind: 'body'; body: Buffer } | { kind: 'redirect'; location: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) {
          req?.destroy();
          reject(err);
        } else resolve(value!);
      };
      req = http.get(parsed, { headers: { 'user-agent': this.opts.userAgent ?? 'sealpost-crl-fetch', accept: 'application/pkix-crl, */*' } }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          done(null, { kind: 'redirect', location: res.headers.location });
          return;
        }
        if (status !== 200) {
          res.resume();
          done(new CrlFetchError(`HTTP ${status}`));
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          done(new CrlFetchError(`${declared} bytes is more than the limit of ${maxBytes}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) done(new CrlFetchError(`more than the limit of ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => done(null, { kind: 'body', body: Buffer.concat(chunks) }));
        res.on('error', (err) => done(new CrlFetchError(err.message)));
        res.on('aborted', () => done(new CrlFetchError('the connection was closed mid-body')));
      });
      req.on('error', (err) => done(new CrlFetchError(err.message)));
      timer = setTimeout(() => done(new CrlFetchError(`no complete answer within ${this.opts.timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    });
  }
}
