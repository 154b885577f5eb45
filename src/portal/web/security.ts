/**
 * Request-level protections: response headers (strict CSP, no framing, no sniffing, no
 * referrer), cookie attributes, CSRF tokens, signed short-lived values and a per-IP limiter.
 * SECURITY
 * - CSRF: HMAC "signed double submit" bound to the session. A random `sp_csrf` cookie
 *   (HttpOnly, Secure, SameSite=Strict) anchors every form; the form token is
 *   HMAC(secret, "csrf|" + cookie + "|" + session id). An attacker can neither read the cookie
 *   nor compute the MAC, and a token minted for one session is useless in another. SameSite=Strict
 *   is a second, independent layer. Every POST is checked before its handler runs.
 * - Comparisons of secrets use timingSafeEqual over fixed-length MACs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const COOKIE = { session: 'sp_session', csrf: 'sp_csrf', device: 'sp_device', lang: 'sp_lang', webauthn: 'sp_webauthn' } as const;

export const BASE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/**
 * The message page embeds the mail in a srcdoc frame, which inherits this page's policy: mail
 * formatting needs inline styles there (already filtered by sanitize.ts), and the frame adds its
 * own stricter policy on top. The page itself renders no user-controlled markup unescaped.
 */
export const MESSAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; frame-src 'self'";

export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  'strict-transport-security': 'max-age=31536000',
  'cache-control': 'no-store',
};

export function cookieOptions(maxAgeSeconds?: number) {
  return { path: '/', httpOnly: true, secure: true, sameSite: 'strict' as const, ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}) };
}

export function mac(secret: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(purpose).update('\0').update(value).digest('base64url');
}

export function equalSecrets(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function csrfToken(secret: Buffer, anchor: string, sessionId: string | null): string {
  return mac(secret, 'csrf', `${anchor}|${sessionId ?? ''}`);
}

/** "payload.expiry.mac": a value we handed out and must get back unchanged before `expiry`. */
export function signValue(secret: Buffer, purpose: string, payload: string, expiresAt: number): string {
  const body = `${Buffer.from(payload).toString('base64url')}.${expiresAt}`;
  return `${body}.${mac(secret, purpose, body)}`;
}

export function verifySigned(secret: Buffer, purpose: string, signed: string | undefined, now: number): string | null {
  if (!signed) return null;
  const parts = signed.split('.');
  if (parts.length !== 3) return null;
  const [payload, expiry, tag] = parts as [string, string, string];
  if (!equalSecrets(tag, mac(secret, purpose, `${payload}.${expiry}`))) return null;
  if (!(Number(expiry) > now)) return null;
  return Buffer.from(payload, 'base64url').toString();
}

/**
 * Failures per key within a sliding window (per client IP for logins, resets, token posts).
 * In memory: a cluster node limits its own clients; the per-account lockout, which must hold
 * cluster-wide, lives in the store.
 */
export class FailureLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (list.length) this.hits.set(key, list);
    else this.hits.delete(key);
    return list;
  }

  blocked(key: string): boolean {
    return this.recent(key).length >= this.max;
  }

  fail(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.hits.set(key, list);
    if (this.hits.size > 100_000) this.hits.delete(this.hits.keys().next().value!); // bounded memory under a spray
  }
}
