/**
 * The sender's recall link (`/recall/<token>`, in the sender's notice when portal.notifySender is
 * on): the GET shows which message would be withdrawn and a button; only the POST consumes the
 * token and recalls (portal/lifecycle.ts: key and ciphertext are destroyed at once).
 * SECURITY: the token is the sender's capability for exactly one message; a GET (link scanner)
 * burns nothing; the page names only the subject and recipient the sender already knows.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { peekRecall, recallByToken } from '../lifecycle.js';
import type { Web } from './context.js';
import { recallPage } from './pages.js';

const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

export function recallRoutes(app: FastifyInstance, web: Web): void {
  const t = (req: FastifyRequest) => req.sp.t;
  const deps = { store: web.store, now: web.now };

  app.get<{ Params: { token: string } }>('/recall/:token', async (req, reply) => {
    const token = req.params.token;
    const message = TOKEN.test(token) ? await peekRecall(deps, token) : null;
    if (!message || message.state === 'recalled') return web.send(req, reply, t(req)('recall.title'), (ctx) => recallPage(ctx, token, { kind: 'invalid' }), { status: 410 });
    return web.send(req, reply, t(req)('recall.title'), (ctx) => recallPage(ctx, token, { kind: 'confirm', subject: message.subject, recipient: message.recipient }));
  });

  app.post<{ Params: { token: string } }>('/recall/:token', async (req, reply) => {
    const token = req.params.token;
    if (web.requestLimiter.blocked(req.ip)) return web.send(req, reply, t(req)('recall.title'), (ctx) => recallPage(ctx, token, { kind: 'invalid' }), { status: 429 });
    const result = TOKEN.test(token) ? await recallByToken(deps, token, req.ip) : null;
    if (!result?.recalled) {
      if (!result) web.requestLimiter.fail(req.ip);
      return web.send(req, reply, t(req)('recall.title'), (ctx) => recallPage(ctx, token, { kind: 'invalid' }), { status: 410 });
    }
    web.log.info({ event: 'portal.recall', messageId: result.message.id, via: 'link' }, 'portal message recalled by its sender');
    return web.send(req, reply, t(req)('recall.title'), (ctx) => recallPage(ctx, token, { kind: 'done' }));
  });
}
