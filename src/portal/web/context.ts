/**
 * Per-request state and the helpers every route module shares: locale, CSRF, the session (read
 * from the store), page rendering, login checks and session start/rotation.
 * SECURITY
 * - Sessions live in the store (ids hashed there); the cookie holds only the random id. A login
 *   step (register, TOTP, full login) always destroys the old session and creates a new one, so
 *   a session id fixed before login is worthless after it.
 * - Session levels mirror the profile security levels: a password (or passkey) login reaches
 *   `high`, a remembered device `medium`, a bare link `none`; a message can be opened only by a
 *   session at least as strong as its own level, so a link-only session never opens a message
 *   from a `high` profile.
 * - Idle timeout (sliding) and absolute lifetime are both enforced here.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { NewAuditEntry, PortalSecurity, SessionRecord } from '../store.js';
import { isLocale, translator, type Translate } from './i18n.js';
import { layout, type PageContext } from './layout.js';
import type { Safe } from './html.js';
import type { PortalWebOptions, PortalWebPorts } from './ports.js';
import { BASE_CSP, COOKIE, cookieOptions, csrfToken, FailureLimiter } from './security.js';

export type Level = PortalSecurity;
const RANK: Record<Level, number> = { none: 0, medium: 1, high: 2 };
export const levelAllows = (have: Level, need: Level): boolean => RANK[have] >= RANK[need];

export interface SessionData {
  /** 'full' = logged in; 'register' = came by a first-visit link, must set a password; 'totp' = password ok, code due */
  readonly stage: 'full' | 'register' | 'totp';
  readonly level?: Level;
  /** where to go after the step */
  readonly next?: string;
  /** remember this device after the TOTP step */
  readonly remember?: boolean;
  /** pending WebAuthn registration challenge */
  readonly challenge?: string;
  /** TOTP secret being enrolled, wrapped under the master key (base64) */
  readonly totpPending?: string;
}

export interface RequestState {
  locale: string;
  /** the locale came from the switcher, its cookie or Accept-Language (else it is a fallback) */
  localeChosen: boolean;
  t: Translate;
  /** the anchor cookie value for CSRF tokens */
  csrfAnchor: string;
  session: { id: string; record: SessionRecord; data: SessionData } | null;
  brand: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    sp: RequestState;
  }
}

export interface Settings {
  readonly origin: string;
  readonly rpID: string;
  readonly name: string;
  readonly lockout: { readonly maxFailures: number; readonly lockMs: number };
  readonly sessionIdleMs: number;
  readonly sessionMaxMs: number;
  readonly deviceMs: number;
  readonly maxUpload: number;
  readonly argon2: { readonly memoryCost: number; readonly timeCost: number };
}

export class Web {
  readonly ipLimiter: FailureLimiter;
  /** password-reset requests and token posts per IP (each counts, successful or not) */
  readonly requestLimiter: FailureLimiter;
  readonly log: Logger;
  readonly now: () => number;

  constructor(
    readonly ports: PortalWebPorts,
    readonly options: PortalWebOptions,
    readonly settings: Settings,
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ component: 'portal' });
    this.ipLimiter = new FailureLimiter(options.ipFailuresPer10Min ?? 30, 600_000, this.now);
    this.requestLimiter = new FailureLimiter(20, 600_000, this.now);
  }

  get store() {
    return this.ports.store;
  }

  csrf(req: FastifyRequest): string {
    return csrfToken(this.options.secret, req.sp.csrfAnchor, req.sp.session?.id ?? null);
  }

  pageContext(req: FastifyRequest): PageContext {
    const s = req.sp.session;
    const branding = req.sp.brand ? this.options.brandings?.[req.sp.brand] : undefined;
    return {
      t: req.sp.t,
      locale: req.sp.locale,
      csrf: this.csrf(req),
      account: s && s.data.stage === 'full' ? s.record.address : null,
      brand: branding?.organisation ?? req.sp.brand ?? this.settings.name,
      ...(branding?.colour ? { brandCss: `/static/brand/${req.sp.brand}.css` } : {}),
      ...(branding?.footer ? { brandFooter: branding.footer } : {}),
      path: req.url,
    };
  }

  setLocale(req: FastifyRequest, locale: string): void {
    req.sp.locale = locale;
    req.sp.t = translator(locale);
  }

  /** The message profile's locale, when the recipient's own choice is unknown. */
  fallbackLocale(req: FastifyRequest, locale: string | null | undefined): void {
    if (!req.sp.localeChosen && isLocale(locale ?? undefined) && locale !== req.sp.locale) this.setLocale(req, locale!);
  }

  send(req: FastifyRequest, reply: FastifyReply, title: string, body: (ctx: PageContext) => Safe, opts: { status?: number; script?: boolean; csp?: string } = {}): FastifyReply {
    const ctx = this.pageContext(req);
    return reply
      .code(opts.status ?? 200)
      .header('content-security-policy', opts.csp ?? BASE_CSP)
      .type('text/html; charset=utf-8')
      .send(layout(ctx, { title, body: body(ctx), ...(opts.script ? { script: true } : {}) }));
  }

  /** The logged-in address when the session is complete and at least `need`; else null. */
  account(req: FastifyRequest, need: Level = 'none'): string | null {
    const s = req.sp.session;
    if (!s || s.data.stage !== 'full') return null;
    return levelAllows(s.data.level ?? 'none', need) ? s.record.address : null;
  }

  level(req: FastifyRequest): Level {
    return req.sp.session?.data.level ?? 'none';
  }

  /** Replaces any current session by a new one (ids never survive a privilege change). */
  async startSession(req: FastifyRequest, reply: FastifyReply, address: string, auth: string, data: SessionData, ttlMs?: number): Promise<void> {
    if (req.sp.session) await this.store.sessions.destroy(req.sp.session.id);
    const expiresAt = this.now() + (ttlMs ?? this.settings.sessionIdleMs);
    const { id, session } = await this.store.sessions.create({ kind: 'session', address, expiresAt, auth, data: data as unknown as Record<string, unknown> });
    // the cookie dies with the absolute lifetime too; the store enforces idle and absolute expiry
    reply.setCookie(COOKIE.session, id, cookieOptions(Math.floor(this.settings.sessionMaxMs / 1000)));
    req.sp.session = { id, record: session, data };
  }

  async endSession(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (req.sp.session) await this.store.sessions.destroy(req.sp.session.id);
    req.sp.session = null;
    reply.clearCookie(COOKIE.session, cookieOptions());
  }

  async updateSession(req: FastifyRequest, data: SessionData): Promise<void> {
    const s = req.sp.session;
    if (!s) return;
    await this.store.sessions.touch(s.id, { data: data as unknown as Record<string, unknown> });
    s.data = data;
  }

  /** Loads the session from the cookie, enforcing idle and absolute expiry (sliding the idle one). */
  async loadSession(req: FastifyRequest): Promise<void> {
    const id = req.cookies[COOKIE.session];
    if (!id || id.length > 100) return;
    const record = await this.store.sessions.get(id);
    if (!record || record.kind !== 'session') return;
    const now = this.now();
    if (now - record.createdAt > this.settings.sessionMaxMs) {
      await this.store.sessions.destroy(id);
      return;
    }
    const data = record.data as unknown as SessionData;
    if (data.stage === 'full' && now - record.lastSeenAt > 30_000) await this.store.sessions.touch(id, { expiresAt: now + this.settings.sessionIdleMs });
    req.sp.session = { id, record, data };
  }

  async audit(req: FastifyRequest, entry: NewAuditEntry): Promise<void> {
    try {
      await this.store.audit.record({ ip: req.ip, ...entry });
    } catch (err) {
      this.log.warn({ event: 'portal.audit.failed', auditEvent: entry.event, err: { message: (err as Error).message } }, 'audit entry could not be written');
    }
  }
}

/** Only our own paths may be a post-login destination (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(inbox|sent|compose|security|messages\/[A-Za-z0-9_-]{1,80})$/.test(next) ? next : '/inbox';
}

export function fields(req: FastifyRequest): Record<string, string> {
  const body = req.body as { fields?: Record<string, string> } | Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return {};
  if ('fields' in body && body.fields && typeof body.fields === 'object' && 'files' in body) return body.fields as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}
