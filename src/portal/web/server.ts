/**
 * portal/web — the recipients' portal: a fastify app on its own HTTPS listener, server-side
 * rendered pages with progressive enhancement (JavaScript only for passkeys).
 *
 * SECURITY (the whole surface is untrusted input from the Internet)
 * - HTTPS only (configured certificate, else a generated self-signed one for the baseUrl host).
 * - Every response: strict CSP (default-src 'none', no inline script), no framing, nosniff,
 *   no referrer, no-store caching. Cookies: Secure, HttpOnly, SameSite=Strict.
 * - Every POST carries a CSRF token bound to the anchor cookie and the session (security.ts),
 *   checked before any handler runs.
 * - Request logging is ours: URLs carry one-time tokens (/m/<token>, /reset/<token>), so
 *   fastify's request log is off and our events name routes, never tokens, bodies or passwords.
 * - Body limits: 64 KB for forms, `maxUpload` for the multipart reply form.
 * STANDARDS: RFC 6265bis (cookies, SameSite), W3C CSP 3, WebAuthn L2, RFC 6238 (TOTP).
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { CSS, CSS_PATH, JS_PATH, PASSKEY_JS } from './assets.js';
import { authRoutes } from './auth-routes.js';
import { Web, type Settings } from './context.js';
import { fromAcceptLanguage, negotiateLocale, translator, isLocale } from './i18n.js';
import { mailRoutes } from './mail-routes.js';
import { boundaryOf, parseMultipart } from './multipart.js';
import { errorPage } from './pages.js';
import type { PortalWebOptions, PortalWebPorts } from './ports.js';
import { COOKIE, cookieOptions, csrfToken, equalSecrets, randomToken, SECURITY_HEADERS } from './security.js';
import { recallRoutes } from './recall-routes.js';
import { securityRoutes } from './security-routes.js';

export function portalSettings(options: PortalWebOptions, origin: string): Settings {
  return {
    origin,
    rpID: new URL(origin).hostname,
    name: options.name ?? 'Sealpost',
    lockout: options.lockout ?? { maxFailures: 5, lockMs: 15 * 60_000 },
    sessionIdleMs: options.sessionIdleMs ?? 30 * 60_000,
    sessionMaxMs: options.sessionMaxMs ?? 12 * 3600_000,
    deviceMs: options.deviceMs ?? 30 * 24 * 3600_000,
    maxUpload: options.maxUpload ?? 25 * 1024 * 1024,
    argon2: options.argon2 ?? { memoryCost: 19_456, timeCost: 2 },
  };
}

function csrfFrom(req: FastifyRequest): string | undefined {
  const header = req.headers['x-csrf-token'];
  if (typeof header === 'string') return header;
  const body = req.body as { _csrf?: unknown; fields?: { _csrf?: unknown } } | undefined;
  const v = body?.fields?._csrf ?? body?._csrf;
  return typeof v === 'string' ? v : undefined;
}

export async function buildPortalApp(ports: PortalWebPorts, options: PortalWebOptions, https: { cert: string; key: string }, origin: string): Promise<{ app: FastifyInstance; web: Web }> {
  const settings = portalSettings(options, origin);
  const web = new Web(ports, options, settings);
  // A public listener: idle sockets and slow requests are cut (slowloris); uploads get minutes.
  const app = Fastify({ https, logger: false, bodyLimit: 64 * 1024, trustProxy: false, return503OnClosing: true, connectionTimeout: 60_000, requestTimeout: 300_000, routerOptions: { ignoreTrailingSlash: true } });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: settings.maxUpload }, (req, body, done) => {
    const boundary = boundaryOf(String(req.headers['content-type'] ?? ''));
    if (!boundary) return done(Object.assign(new Error('multipart body without a boundary'), { statusCode: 400 }), undefined);
    done(null, parseMultipart(body as Buffer, boundary));
  });
  app.decorateRequest('sp', null as never);

  app.addHook('onRequest', async (req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    const query = req.query as { lang?: string };
    const lang = typeof query?.lang === 'string' && isLocale(query.lang) ? query.lang : undefined;
    if (lang) reply.setCookie(COOKIE.lang, lang, cookieOptions(365 * 86400));
    const cookieLang = req.cookies[COOKIE.lang];
    const locale = negotiateLocale({ ...(lang ? { query: lang } : {}), ...(cookieLang ? { cookie: cookieLang } : {}), ...(req.headers['accept-language'] ? { acceptLanguage: req.headers['accept-language'] } : {}) });
    // chosen by nobody (no switcher, no cookie, no supported browser language): pages may use the profile's or account's locale instead
    const localeChosen = !!lang || isLocale(cookieLang) || fromAcceptLanguage(req.headers['accept-language']) !== undefined;
    let anchor = req.cookies[COOKIE.csrf];
    if (!anchor || !/^[A-Za-z0-9_-]{43}$/.test(anchor)) {
      anchor = randomToken();
      reply.setCookie(COOKIE.csrf, anchor, cookieOptions());
    }
    req.sp = { locale, localeChosen, t: translator(locale), csrfAnchor: anchor, session: null, brand: null };
    if (!req.url.startsWith('/static/')) await web.loadSession(req);
    // a logged-in recipient who switches language gets their notices (reminders, resets) in it too
    const address = web.account(req);
    if (lang && address) await web.store.accounts.update(address, { locale: lang });
    else if (!localeChosen && address) {
      const preferred = (await web.store.accounts.get(address))?.locale ?? undefined;
      if (isLocale(preferred)) {
        web.setLocale(req, preferred);
        req.sp.localeChosen = true; // the recipient's own earlier choice beats the profile's
      }
    }
  });

  app.addHook('preHandler', async (req, reply) => {
    if (req.method !== 'POST') return;
    const given = csrfFrom(req);
    const expected = csrfToken(options.secret, req.sp.csrfAnchor, req.sp.session?.id ?? null);
    if (!given || !equalSecrets(given, expected)) {
      web.log.info({ event: 'portal.csrf.refused', route: req.routeOptions.url }, 'POST without a valid CSRF token');
      if (req.headers['content-type']?.startsWith('application/json')) return reply.code(403).type('application/json').send('{"error":"csrf"}');
      return web.send(req, reply, req.sp.t('error.title'), (ctx) => errorPage(ctx, req.sp.t('error.csrf')), { status: 403 });
    }
  });

  app.get(CSS_PATH, async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(CSS));
  app.get(JS_PATH, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(PASSKEY_JS));
  // a branding's accent colour as a stylesheet of its own: the CSP allows no inline style
  app.get<{ Params: { file: string } }>('/static/brand/:file', async (req, reply) => {
    const name = /^([a-z0-9_-]{1,64})\.css$/i.exec(req.params.file)?.[1];
    const colour = name ? options.brandings?.[name]?.colour : undefined;
    if (!colour || !/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(colour)) return reply.code(404).type('text/plain').send('not found');
    return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(`:root{--brand:${colour}}\n`);
  });

  authRoutes(app, web);
  mailRoutes(app, web);
  securityRoutes(app, web);
  recallRoutes(app, web);

  app.setNotFoundHandler(async (req, reply) => {
    if (!req.sp) return reply.code(404).send('not found');
    return web.send(req, reply, req.sp.t('error.title'), (ctx) => errorPage(ctx, req.sp.t('error.notFound')), { status: 404 });
  });
  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) web.log.error({ event: 'portal.error', route: req.routeOptions?.url, err: { message: err.message, code: err.code, stack: err.stack } }, 'portal request failed');
    else web.log.info({ event: 'portal.request.refused', route: req.routeOptions?.url, status, code: err.code }, 'portal request refused');
    if (!req.sp) return reply.code(status).send('error');
    const text = status === 413 ? req.sp.t('compose.tooBig') : req.sp.t('error.generic');
    return web.send(req, reply, req.sp.t('error.title'), (ctx) => errorPage(ctx, text), { status });
  });
  return { app, web };
}
