/**
 * The recipient's security page: TOTP enrolment (otpauth:// link and key; a code must verify
 * before it is switched on), TOTP removal, password change, passkeys (WebAuthn registration and
 * discoverable-credential login).
 * SECURITY
 * - Changes need a complete `high` session; turning TOTP off or changing the password also
 *   needs the current password (a stolen session alone cannot downgrade the account).
 * - The TOTP secret is wrapped under the master key in the store, and while being enrolled it
 *   sits wrapped in the session.
 * - WebAuthn: rpID = the baseUrl host, expected origin = the baseUrl origin; challenges are
 *   single-use (registration: in the session, cleared on use; login: a signed 5-minute cookie
 *   whose challenge is remembered as used). The signature counter is stored after every login.
 */
import { createHash } from 'node:crypto';
import { generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PDF_PASSWORD_MAX, PDF_PASSWORD_MIN } from '../pdf-password.js';
import { hashPassword, recheckPassword } from './auth-routes.js';
import { fields, safeNext, Web, type SessionData } from './context.js';
import { securityPage, type Notice } from './pages.js';
import { checkPasswordStrength } from './password-strength.js';
import { COOKIE, cookieOptions, signValue, verifySigned } from './security.js';
import { qrSvgDataUri } from './qr.js';
import { base32, checkTotp, newTotpSecret, totpFor } from './totp.js';

const usedChallenges = new Map<string, number>();
const REAUTH_MS = 15 * 60_000;

export function securityRoutes(app: FastifyInstance, web: Web): void {
  const t = (req: FastifyRequest) => req.sp.t;
  const high = (req: FastifyRequest, reply: FastifyReply) => {
    const address = web.account(req, 'high');
    if (!address) void reply.redirect('/login?next=/security', 303);
    return address;
  };
  /**
   * Changes that add a way in (passkey, TOTP, PDF password) need a login younger than
   * REAUTH_MS: a stolen or forgotten-open session cannot plant a lasting credential. (Password
   * change and TOTP removal ask for the current password instead.)
   */
  const recent = (req: FastifyRequest) => web.now() - (req.sp.session?.record.createdAt ?? 0) < REAUTH_MS;
  const highRecent = (req: FastifyRequest, reply: FastifyReply) => {
    const address = high(req, reply);
    if (address && !recent(req)) {
      void reply.redirect('/login?next=/security&reauth=1', 303);
      return null;
    }
    return address;
  };

  /** The current password, rate-limited like a login; null when it was right, else the reply sent. */
  async function recheck(req: FastifyRequest, reply: FastifyReply, address: string, password: string): Promise<FastifyReply | null> {
    const verdict = await recheckPassword(web, req, address, password);
    if (verdict === 'ok') return null;
    if (verdict === 'locked') {
      await web.endSession(req, reply);
      return reply.redirect('/login', 303);
    }
    return show(req, reply, address, { kind: 'error', text: t(req)(verdict === 'limited' ? 'login.limited' : 'security.wrongPassword') }, verdict === 'limited' ? 429 : 400);
  }

  async function show(req: FastifyRequest, reply: FastifyReply, address: string, notice: Notice, status = 200) {
    const account = await web.store.accounts.get(address);
    const passkeys = await web.store.passkeys.byAddress(address);
    const pending = req.sp.session?.data.totpPending;
    let enrol: { uri: string; secret: string; qr: string | null } | null = null;
    if (pending) {
      const secret = web.ports.unwrapTotp(address, Buffer.from(pending, 'base64'));
      const uri = totpFor(address, secret, web.settings.name).toString();
      let qr: string | null = null;
      try {
        qr = qrSvgDataUri(uri);
      } catch {
        // an address long enough to overflow the QR code: the link and the key still work
      }
      enrol = { uri, secret: base32(secret), qr };
    }
    const pdf = web.ports.pdfPasswords ? { set: await web.ports.pdfPasswords.has(address), min: PDF_PASSWORD_MIN, max: PDF_PASSWORD_MAX } : null;
    return web.send(req, reply, t(req)('security.title'), (ctx) => securityPage(ctx, { pdf, totpOn: !!account?.totpSecret, enrol, passkeys }, notice), { status, script: true });
  }

  app.get<{ Querystring: { done?: string } }>('/security', async (req, reply) => {
    const address = high(req, reply);
    if (!address) return reply;
    const done = req.query.done;
    return show(req, reply, address, done ? { kind: 'ok', text: done === 'passkey' ? t(req)('security.passkeyAdded') : done === 'passkey-removed' ? t(req)('security.passkeyRemoved') : t(req)('security.changed') } : null);
  });

  app.post('/security/totp/start', async (req, reply) => {
    const address = highRecent(req, reply);
    if (!address) return reply;
    const wrapped = web.ports.wrapTotp(address, newTotpSecret());
    await web.updateSession(req, { ...req.sp.session!.data, totpPending: wrapped.toString('base64') });
    return reply.redirect('/security', 303);
  });

  app.post('/security/totp/enable', async (req, reply) => {
    const address = highRecent(req, reply);
    if (!address) return reply;
    const pending = req.sp.session!.data.totpPending;
    if (!pending) return reply.redirect('/security', 303);
    const wrapped = Buffer.from(pending, 'base64');
    const secret = web.ports.unwrapTotp(address, wrapped);
    if (!checkTotp(address, secret, fields(req).code ?? '', web.now())) return show(req, reply, address, { kind: 'error', text: t(req)('totp.failed') }, 400);
    await web.store.accounts.update(address, { totpSecret: wrapped });
    const { totpPending: _, ...rest } = req.sp.session!.data;
    await web.updateSession(req, rest as SessionData);
    await web.audit(req, { event: 'totp-enabled', address });
    return reply.redirect('/security?done=totp', 303);
  });

  app.post('/security/totp/disable', async (req, reply) => {
    const address = high(req, reply);
    if (!address) return reply;
    const denied = await recheck(req, reply, address, fields(req).password ?? '');
    if (denied) return denied;
    await web.store.accounts.update(address, { totpSecret: null });
    await web.audit(req, { event: 'totp-disabled', address });
    return reply.redirect('/security?done=totp', 303);
  });

  app.post('/security/password', async (req, reply) => {
    const address = high(req, reply);
    if (!address) return reply;
    const f = fields(req);
    const denied = await recheck(req, reply, address, f.current ?? '');
    if (denied) return denied;
    if ((f.password ?? '') !== (f.confirm ?? '')) return show(req, reply, address, { kind: 'error', text: t(req)('password.mismatch') }, 400);
    if (!checkPasswordStrength(f.password ?? '', [address]).ok) return show(req, reply, address, { kind: 'error', text: t(req)('password.weak') }, 400);
    await web.store.accounts.update(address, { passwordHash: await hashPassword(web, f.password!) });
    // other sessions and remembered devices end; this one continues under a new id
    await web.store.sessions.destroyAll(address);
    await web.startSession(req, reply, address, 'password', { stage: 'full', level: 'high' });
    await web.audit(req, { event: 'password-set', address });
    return reply.redirect('/security?done=password', 303);
  });

  /** Sign out everywhere: every session and remembered device of the account, this one too. */
  app.post('/security/sessions/end', async (req, reply) => {
    const address = high(req, reply);
    if (!address) return reply;
    await web.store.sessions.destroyAll(address);
    await web.endSession(req, reply);
    reply.clearCookie(COOKIE.device, cookieOptions());
    await web.audit(req, { event: 'logout', address, detail: { everywhere: true } });
    return reply.redirect('/login', 303);
  });

  // ───── PDF password (pdf.passwordMode portal) ─────
  app.post('/security/pdf', async (req, reply) => {
    const address = highRecent(req, reply);
    if (!address) return reply;
    const pdf = web.ports.pdfPasswords;
    if (!pdf) return reply.redirect('/security', 303);
    const password = fields(req).pdfPassword ?? '';
    const length = [...password].length;
    if (length < PDF_PASSWORD_MIN || length > PDF_PASSWORD_MAX) return show(req, reply, address, { kind: 'error', text: t(req)('security.pdfLength', { min: PDF_PASSWORD_MIN, max: PDF_PASSWORD_MAX }) }, 400);
    // the store records the audit entry (pdf-password-set); the password itself goes nowhere else
    await pdf.set(address, password, req.ip);
    return reply.redirect('/security?done=pdf', 303);
  });
  app.post('/security/pdf/clear', async (req, reply) => {
    const address = high(req, reply);
    if (!address) return reply;
    if (web.ports.pdfPasswords) await web.ports.pdfPasswords.clear(address);
    return reply.redirect('/security?done=pdf', 303);
  });

  // ───── passkeys ─────
  const json = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type('application/json').send(JSON.stringify(body));

  app.post('/passkeys/register/options', async (req, reply) => {
    const address = web.account(req, 'high');
    if (!address) return json(reply, 401, { error: 'login required' });
    if (!recent(req)) return json(reply, 401, { error: 'reauth', next: '/login?next=/security&reauth=1' });
    const existing = await web.store.passkeys.byAddress(address);
    const options = await generateRegistrationOptions({
      rpName: web.settings.name,
      rpID: web.settings.rpID,
      userName: address,
      // a stable, address-free user handle (the address is not handed to the authenticator's sync cloud as an id)
      userID: new Uint8Array(createHash('sha256').update(`sealpost-portal:${address}`).digest()),
      attestationType: 'none',
      excludeCredentials: existing.map((p) => ({ id: p.id, transports: [...p.transports] })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    await web.updateSession(req, { ...req.sp.session!.data, challenge: options.challenge });
    return json(reply, 200, options);
  });

  app.post('/passkeys/register/verify', async (req, reply) => {
    const address = web.account(req, 'high');
    if (!address) return json(reply, 401, { error: 'login required' });
    const challenge = req.sp.session!.data.challenge;
    if (!challenge) return json(reply, 400, { error: 'no registration in progress' });
    const { challenge: _, ...rest } = req.sp.session!.data;
    await web.updateSession(req, rest as SessionData);
    try {
      const result = await verifyRegistrationResponse({ response: req.body as RegistrationResponseJSON, expectedChallenge: challenge, expectedOrigin: web.settings.origin, expectedRPID: web.settings.rpID });
      if (!result.verified) return json(reply, 400, { error: 'not verified' });
      const c = result.registrationInfo.credential;
      await web.store.passkeys.add({ id: c.id, address, publicKey: Buffer.from(c.publicKey), counter: c.counter, transports: c.transports ?? [], name: `Passkey ${new Date(web.now()).toISOString().slice(0, 10)}` });
      await web.audit(req, { event: 'passkey-added', address });
      return json(reply, 200, { next: '/security?done=passkey' });
    } catch (err) {
      web.log.info({ event: 'portal.passkey.register.refused', reason: (err as Error).message }, 'passkey registration refused');
      return json(reply, 400, { error: 'not verified' });
    }
  });

  app.post('/passkeys/remove', async (req, reply) => {
    const address = highRecent(req, reply);
    if (!address) return reply;
    const id = fields(req).id ?? '';
    if (id && (await web.store.passkeys.remove(id, address))) await web.audit(req, { event: 'passkey-removed', address });
    return reply.redirect('/security?done=passkey-removed', 303);
  });

  app.post('/passkeys/login/options', async (req, reply) => {
    if (web.ipLimiter.blocked(req.ip)) return json(reply, 429, { error: 'too many attempts' });
    const options = await generateAuthenticationOptions({ rpID: web.settings.rpID, userVerification: 'preferred', allowCredentials: [] });
    reply.setCookie(COOKIE.webauthn, signValue(web.options.secret, 'webauthn-login', options.challenge, web.now() + 300_000), cookieOptions(300));
    return json(reply, 200, options);
  });

  app.post<{ Querystring: { next?: string } }>('/passkeys/login/verify', async (req, reply) => {
    const challenge = verifySigned(web.options.secret, 'webauthn-login', req.cookies[COOKIE.webauthn], web.now());
    reply.clearCookie(COOKIE.webauthn, cookieOptions());
    const now = web.now();
    for (const [c, exp] of usedChallenges) if (exp < now) usedChallenges.delete(c);
    if (!challenge || usedChallenges.has(challenge)) return json(reply, 400, { error: 'no login in progress' });
    usedChallenges.set(challenge, now + 300_000);
    const response = req.body as AuthenticationResponseJSON;
    const passkey = typeof response?.id === 'string' && response.id.length < 1400 ? await web.store.passkeys.get(response.id) : null;
    if (!passkey) {
      web.ipLimiter.fail(req.ip);
      return json(reply, 400, { error: 'not verified' });
    }
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: web.settings.origin,
        expectedRPID: web.settings.rpID,
        credential: { id: passkey.id, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.counter, transports: passkey.transports as never },
      });
      if (!result.verified) throw new Error('assertion not verified');
      await web.store.passkeys.markUsed(passkey.id, result.authenticationInfo.newCounter);
    } catch (err) {
      web.ipLimiter.fail(req.ip);
      await web.audit(req, { event: 'login-failed', address: passkey.address, detail: { auth: 'passkey' } });
      web.log.info({ event: 'portal.passkey.login.refused', reason: (err as Error).message }, 'passkey login refused');
      return json(reply, 400, { error: 'not verified' });
    }
    await web.store.accounts.recordLoginSuccess(passkey.address);
    await web.startSession(req, reply, passkey.address, 'passkey', { stage: 'full', level: 'high' });
    await web.audit(req, { event: 'login', address: passkey.address, detail: { auth: 'passkey' } });
    return json(reply, 200, { next: safeNext(req.query.next) });
  });
}
