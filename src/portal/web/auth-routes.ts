/**
 * Link landing, first-visit registration, login (+ TOTP step), logout and password reset.
 * SECURITY
 * - A notice link's GET only shows a button; the token is consumed by the POST (a link scanner
 *   fetching the URL burns nothing).
 * - Login answers are uniform: unknown address, wrong password and locked account give the same
 *   page, status and — since argon2 runs against a dummy hash for unknown addresses and locked
 *   accounts — about the same time. The reset form always says "if the address has an account".
 * - Failed logins lock the account in the store (cluster-wide) after `lockout.maxFailures`, and
 *   count per client IP here; a wrong TOTP code counts as a failed login.
 * - Passwords are hashed with argon2id; they are never logged or stored in the session.
 */
import { hash, verify } from '@node-rs/argon2';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PortalMessage } from '../store.js';
import { fields, safeNext, Web, type Level, type SessionData } from './context.js';
import { landingPage, loginPage, registerPage, resetFormPage, resetRequestPage, totpPage, type Notice } from './pages.js';
import { checkPasswordStrength, MAX_LENGTH as MAX_PASSWORD_LENGTH } from './password-strength.js';
import { COOKIE, cookieOptions } from './security.js';
import { checkTotp } from './totp.js';

const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;
const RESET_MS = 3600_000;

export async function hashPassword(web: Web, password: string): Promise<string> {
  // algorithm 2 = Argon2id (a const enum in the typings, which tsx cannot import at run time)
  return hash(password, { algorithm: 2, memoryCost: web.settings.argon2.memoryCost, timeCost: web.settings.argon2.timeCost, parallelism: 1 });
}

let dummyHash: Promise<string> | undefined;
/** A real hash of a random password with our parameters: verifying against it costs what a real check costs. */
function dummy(web: Web): Promise<string> {
  dummyHash ??= hashPassword(web, `dummy-${Math.random()}-${Date.now()}`);
  return dummyHash;
}

/**
 * The current password asked again by a logged-in session (changing the password, turning TOTP
 * off): held to the same limits as a login — the per-IP limiter and the account's lockout — so
 * a stolen session cannot guess it. 'locked' ends every session of the account.
 */
export async function recheckPassword(web: Web, req: FastifyRequest, address: string, password: string): Promise<'ok' | 'wrong' | 'limited' | 'locked'> {
  if (web.ipLimiter.blocked(req.ip)) return 'limited';
  const account = await web.store.accounts.get(address);
  const locked = !account || (account.lockedUntil !== null && account.lockedUntil > web.now());
  if (!locked && (await checkPassword(web, account.passwordHash, password))) return 'ok';
  web.ipLimiter.fail(req.ip);
  const r = locked ? null : await web.store.accounts.recordLoginFailure(address, web.settings.lockout);
  await web.audit(req, { event: 'login-failed', address, detail: { recheck: true, locked } });
  if (locked || r?.lockedUntil) {
    if (r?.lockedUntil) await web.audit(req, { event: 'lockout', address, detail: { until: r.lockedUntil } });
    await web.store.sessions.destroyAll(address);
    return 'locked';
  }
  return 'wrong';
}

export async function checkPassword(web: Web, hashed: string | null, password: string): Promise<boolean> {
  const target = hashed ?? (await dummy(web));
  try {
    // longer input than registration allows can never be right (and costs argon2 nothing extra)
    if ([...password].length > MAX_PASSWORD_LENGTH) return false;
    const ok = await verify(target, password);
    return ok && hashed !== null;
  } catch {
    return false;
  }
}

function strengthNotice(web: Web, req: FastifyRequest, password: string, confirm: string, address: string): Notice {
  const t = req.sp.t;
  if (password !== confirm) return { kind: 'error', text: t('password.mismatch') };
  const verdict = checkPasswordStrength(password, [address]);
  return verdict.ok ? null : { kind: 'error', text: t('password.weak') };
}

/** Session level and data after a successful login for a message of `security` (or none). */
async function completeLogin(web: Web, req: FastifyRequest, reply: FastifyReply, address: string, auth: string, next: string, remember: boolean): Promise<FastifyReply> {
  await web.store.accounts.recordLoginSuccess(address);
  await web.startSession(req, reply, address, auth, { stage: 'full', level: 'high' });
  if (remember) {
    const device = await web.store.sessions.create({ kind: 'device', address, expiresAt: web.now() + web.settings.deviceMs, auth });
    reply.setCookie(COOKIE.device, device.id, cookieOptions(Math.floor(web.settings.deviceMs / 1000)));
  }
  await web.audit(req, { event: 'login', address, detail: { auth, remember } });
  web.log.info({ event: 'portal.login', auth }, 'portal login');
  return reply.redirect(safeNext(next), 303);
}

async function deviceRemembered(web: Web, req: FastifyRequest, address: string): Promise<boolean> {
  const id = req.cookies[COOKIE.device];
  if (!id || id.length > 100) return false;
  const device = await web.store.sessions.get(id);
  return !!device && device.kind === 'device' && device.address === address;
}

export function authRoutes(app: FastifyInstance, web: Web): void {
  const t = (req: FastifyRequest) => req.sp.t;

  // ───── link landing ─────
  app.get<{ Params: { token: string } }>('/m/:token', async (req, reply) => {
    const token = req.params.token;
    // Looks only (peek): tells the recipient early when the link is dead, consumes nothing.
    const record = TOKEN.test(token) ? await web.store.tokens.peek(token, 'message') : null;
    const valid = !!record && record.usedAt === null && record.expiresAt > web.now();
    // the sender's branding on the landing page: the recipient sees who wrote before trusting the link
    if (valid && record.messageId) {
      const message = await web.store.messages.forRecipient(record.messageId, record.address);
      req.sp.brand = message?.branding ?? null;
      web.fallbackLocale(req, message?.locale);
    }
    return web.send(req, reply, t(req)('landing.title'), (ctx) => landingPage(ctx, token, valid), { status: valid ? 200 : 410 });
  });

  app.post<{ Params: { token: string } }>('/m/:token', async (req, reply) => {
    const token = req.params.token;
    const invalid = () => web.send(req, reply, t(req)('landing.title'), (ctx) => landingPage(ctx, token, false), { status: 410 });
    if (web.requestLimiter.blocked(req.ip)) return web.send(req, reply, t(req)('login.title'), (ctx) => loginPage(ctx, { notice: { kind: 'error', text: t(req)('login.limited') }, remember: false }), { status: 429 });
    const record = TOKEN.test(token) ? await web.store.tokens.consume(token, 'message') : null;
    if (!record || !record.messageId) {
      web.requestLimiter.fail(req.ip);
      return invalid();
    }
    const address = record.address;
    const message = await web.store.messages.forRecipient(record.messageId, address);
    if (!message || message.state === 'recalled' || message.state === 'expired') return invalid();
    const account = await web.store.accounts.ensure(address);
    req.sp.brand = message.branding;
    web.fallbackLocale(req, account.locale ?? message.locale);
    const next = `/messages/${message.id}`;
    const current = req.sp.session;
    if (current && current.data.stage === 'full' && current.record.address === address && web.account(req, message.security)) return reply.redirect(next, 303);
    if (message.security === 'none') return linkLogin(web, req, reply, address, 'none', 'link', next);
    if (account.passwordHash === null) {
      await web.startSession(req, reply, address, 'link', { stage: 'register', next }, 15 * 60_000);
      return reply.redirect('/register', 303);
    }
    if (message.security === 'medium' && (await deviceRemembered(web, req, address))) return linkLogin(web, req, reply, address, 'medium', 'device', next);
    return web.send(req, reply, t(req)('login.title'), (ctx) => loginPage(ctx, { address, next, notice: null, remember: message.security === 'medium' }), { script: true });
  });

  async function linkLogin(web: Web, req: FastifyRequest, reply: FastifyReply, address: string, level: Level, auth: string, next: string) {
    await web.startSession(req, reply, address, auth, { stage: 'full', level });
    await web.audit(req, { event: 'login', address, detail: { auth } });
    return reply.redirect(next, 303);
  }

  // ───── first visit: set the password ─────
  const registering = (req: FastifyRequest) => (req.sp.session?.data.stage === 'register' ? req.sp.session : null);
  app.get('/register', async (req, reply) => {
    const s = registering(req);
    if (!s) return reply.redirect('/login', 303);
    return web.send(req, reply, t(req)('register.title'), (ctx) => registerPage(ctx, s.record.address, null));
  });
  app.post('/register', async (req, reply) => {
    const s = registering(req);
    if (!s) return reply.redirect('/login', 303);
    const f = fields(req);
    const address = s.record.address;
    const notice = strengthNotice(web, req, f.password ?? '', f.confirm ?? '', address);
    if (notice) return web.send(req, reply, t(req)('register.title'), (ctx) => registerPage(ctx, address, notice), { status: 400 });
    const account = await web.store.accounts.get(address);
    // someone registered in between (another tab): this link no longer sets passwords
    if (!account || account.passwordHash !== null) return reply.redirect('/login', 303);
    await web.store.accounts.update(address, { passwordHash: await hashPassword(web, f.password!) });
    await web.audit(req, { event: 'password-set', address });
    return completeLogin(web, req, reply, address, 'password', s.data.next ?? '/inbox', false);
  });

  // ───── login ─────
  app.get<{ Querystring: { next?: string; done?: string; reauth?: string } }>('/login', async (req, reply) => {
    const reauth = req.query.reauth === '1';
    const current = web.account(req, 'high');
    if (current && !reauth) return reply.redirect('/inbox', 303);
    const notice: Notice = reauth ? { kind: 'error', text: t(req)('error.reauth') } : req.query.done === 'reset' ? { kind: 'ok', text: t(req)('reset.done') } : req.query.done === 'session' ? { kind: 'error', text: t(req)('error.session') } : null;
    return web.send(req, reply, t(req)('login.title'), (ctx) => loginPage(ctx, { next: safeNext(req.query.next), notice, remember: true, ...(current ? { address: current } : {}) }), { script: true });
  });

  app.post('/login', async (req, reply) => {
    const f = fields(req);
    const address = (f.address ?? '').trim().toLowerCase().slice(0, 320);
    const next = safeNext(f.next);
    const fail = (key: 'login.failed' | 'login.limited', status: number) => web.send(req, reply, t(req)('login.title'), (ctx) => loginPage(ctx, { address, next, notice: { kind: 'error', text: t(req)(key) }, remember: true }), { status, script: true });
    if (web.ipLimiter.blocked(req.ip)) return fail('login.limited', 429);
    const account = address ? await web.store.accounts.get(address) : null;
    const locked = !!account && account.lockedUntil !== null && account.lockedUntil > web.now();
    const ok = (await checkPassword(web, locked ? null : (account?.passwordHash ?? null), f.password ?? '')) && !locked;
    if (!ok || !account) {
      web.ipLimiter.fail(req.ip);
      if (account && !locked) {
        const r = await web.store.accounts.recordLoginFailure(address, web.settings.lockout);
        if (r?.lockedUntil) {
          await web.audit(req, { event: 'lockout', address, detail: { until: r.lockedUntil } });
          web.log.warn({ event: 'portal.lockout' }, 'portal account locked after repeated failures');
        }
      }
      // unknown addresses are not recorded verbatim (the audit log would become an address oracle)
      await web.audit(req, { event: 'login-failed', address: account ? address : null, detail: { locked } });
      return fail('login.failed', 401);
    }
    const remember = f.remember === '1';
    if (account.totpSecret) {
      await web.startSession(req, reply, address, 'password', { stage: 'totp', next, remember }, 5 * 60_000);
      return reply.redirect('/login/totp', 303);
    }
    return completeLogin(web, req, reply, address, 'password', next, remember);
  });

  const totpPending = (req: FastifyRequest) => (req.sp.session?.data.stage === 'totp' ? req.sp.session : null);
  app.get('/login/totp', async (req, reply) => {
    if (!totpPending(req)) return reply.redirect('/login', 303);
    return web.send(req, reply, t(req)('totp.title'), (ctx) => totpPage(ctx, null));
  });
  app.post('/login/totp', async (req, reply) => {
    const s = totpPending(req);
    if (!s) return reply.redirect('/login', 303);
    if (web.ipLimiter.blocked(req.ip)) return web.send(req, reply, t(req)('totp.title'), (ctx) => totpPage(ctx, { kind: 'error', text: t(req)('login.limited') }), { status: 429 });
    const address = s.record.address;
    const account = await web.store.accounts.get(address);
    const code = fields(req).code ?? '';
    const locked = !account || (account.lockedUntil !== null && account.lockedUntil > web.now());
    let ok = false;
    if (!locked && account.totpSecret) {
      try {
        ok = checkTotp(address, web.ports.unwrapTotp(address, account.totpSecret), code, web.now());
      } catch (err) {
        web.log.error({ event: 'portal.totp.unwrap.failed', err: { message: (err as Error).message } }, 'TOTP secret could not be unwrapped');
      }
    }
    if (!ok) {
      web.ipLimiter.fail(req.ip);
      if (!locked) {
        const r = await web.store.accounts.recordLoginFailure(address, web.settings.lockout);
        if (r?.lockedUntil) await web.audit(req, { event: 'lockout', address, detail: { until: r.lockedUntil } });
      }
      await web.audit(req, { event: 'login-failed', address, detail: { factor: 'totp' } });
      if (locked) {
        await web.endSession(req, reply);
        return web.send(req, reply, t(req)('login.title'), (ctx) => loginPage(ctx, { address, notice: { kind: 'error', text: t(req)('login.failed') }, remember: true }), { status: 401, script: true });
      }
      return web.send(req, reply, t(req)('totp.title'), (ctx) => totpPage(ctx, { kind: 'error', text: t(req)('totp.failed') }), { status: 401 });
    }
    return completeLogin(web, req, reply, address, 'password+totp', s.data.next ?? '/inbox', s.data.remember === true);
  });

  app.post('/logout', async (req, reply) => {
    const address = req.sp.session?.record.address ?? null;
    await web.endSession(req, reply);
    if (address) await web.audit(req, { event: 'logout', address });
    return reply.redirect('/login', 303);
  });

  // ───── password reset ─────
  app.get('/reset', async (req, reply) => web.send(req, reply, t(req)('reset.title'), (ctx) => resetRequestPage(ctx, null)));
  app.post('/reset', async (req, reply) => {
    const address = (fields(req).address ?? '').trim().toLowerCase().slice(0, 320);
    if (web.requestLimiter.blocked(req.ip)) return web.send(req, reply, t(req)('reset.title'), (ctx) => resetRequestPage(ctx, { kind: 'error', text: t(req)('login.limited') }), { status: 429 });
    web.requestLimiter.fail(req.ip);
    // Answer first, work after: the response time must not tell whether the address exists.
    const locale = req.sp.locale;
    void (async () => {
      const account = address ? await web.store.accounts.get(address) : null;
      // also for an account that never set a password (its first link expired unused): the
      // reset link proves the mailbox exactly as the message link did
      if (!account) return;
      const token = await web.store.tokens.issue({ purpose: 'reset', address, messageId: null, expiresAt: web.now() + RESET_MS });
      await web.ports.sendPasswordReset(address, `${web.settings.origin}/reset/${token}`, account.locale ?? locale);
    })().catch((err) => web.log.warn({ event: 'portal.reset.failed', err: { message: (err as Error).message } }, 'password reset link could not be sent'));
    return web.send(req, reply, t(req)('reset.title'), (ctx) => resetRequestPage(ctx, { kind: 'ok', text: t(req)('reset.sent') }));
  });
  app.get<{ Params: { token: string } }>('/reset/:token', async (req, reply) => {
    const token = req.params.token;
    const record = TOKEN.test(token) ? await web.store.tokens.peek(token, 'reset') : null;
    const valid = !!record && record.usedAt === null && record.expiresAt > web.now();
    return web.send(req, reply, t(req)('reset.newTitle'), (ctx) => resetFormPage(ctx, token, valid, null), { status: valid ? 200 : 410 });
  });
  app.post<{ Params: { token: string } }>('/reset/:token', async (req, reply) => {
    const token = req.params.token;
    const f = fields(req);
    const peeked = TOKEN.test(token) ? await web.store.tokens.peek(token, 'reset') : null;
    if (!peeked || peeked.usedAt !== null || peeked.expiresAt <= web.now()) return web.send(req, reply, t(req)('reset.newTitle'), (ctx) => resetFormPage(ctx, token, false, null), { status: 410 });
    const notice = strengthNotice(web, req, f.password ?? '', f.confirm ?? '', peeked.address);
    if (notice) return web.send(req, reply, t(req)('reset.newTitle'), (ctx) => resetFormPage(ctx, token, true, notice), { status: 400 });
    const record = await web.store.tokens.consume(token, 'reset');
    if (!record) return web.send(req, reply, t(req)('reset.newTitle'), (ctx) => resetFormPage(ctx, token, false, null), { status: 410 });
    await web.store.accounts.update(record.address, { passwordHash: await hashPassword(web, f.password!) });
    // a reset means the old password may be known to someone else: every session and device goes
    await web.store.sessions.destroyAll(record.address);
    await web.store.accounts.recordLoginSuccess(record.address);
    await web.audit(req, { event: 'password-reset', address: record.address });
    await web.endSession(req, reply);
    return reply.redirect('/login?done=reset', 303);
  });
}

export type { SessionData, PortalMessage };
