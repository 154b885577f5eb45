/**
 * Inbox, message view, attachment download, reply / reply-all / forward / compose, sent items.
 * SECURITY
 * - IDOR: every message and part is looked up with the logged-in address (forRecipient /
 *   readableBody / sent.get check ownership in the store); another recipient's id answers
 *   exactly like an unknown one (404).
 * - Recalled and expired messages are refused by readableBody (their keys are gone anyway).
 * - A session opens only messages whose security level it meets (a link-only session cannot
 *   open a `high` message); a weaker session is sent to the login page.
 * - What may be sent is decided here from the message's flags, never from the form: the reply
 *   recipients are computed server-side; compose and forward accept internal addresses only.
 * - Downloads: Content-Disposition attachment, application/octet-stream, nosniff, a sandbox
 *   CSP — a hostile HTML attachment never renders in our origin.
 * - The audit log gets reads, downloads and replies (ids only); bodies are never logged.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { convert } from 'html-to-text';
import type { PortalMessage, SentItem, SentKind } from '../store.js';
import { fields, safeNext, Web } from './context.js';
import { parseMessageView, type MessageView } from './mime-view.js';
import type { FormData } from './multipart.js';
import { composePage, errorPage, inboxPage, loginPage, messagePage, sentPage, unavailablePage, type ComposeForm, type Notice } from './pages.js';
import { frameDocument, sanitizeMailHtml } from './sanitize.js';
import { MESSAGE_CSP } from './security.js';

const ID = /^[A-Za-z0-9_-]{1,80}$/;
const PART = /^\d{1,4}(\.\d{1,4}){0,20}$/;
const MAX_RECIPIENTS = 20;

function addresses(list: string): string[] {
  return list
    .split(/[,;\s]+/)
    .map((a) => a.trim().replace(/^<|>$/g, '').toLowerCase())
    .filter(Boolean);
}

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

function quote(text: string, view: MessageView): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n').slice(0, 500);
  return `\n\n${view.from}:\n${lines.map((l) => `> ${l}`).join('\n')}`;
}

function prefixed(prefix: string, subject: string): string {
  return new RegExp(`^${prefix}:`, 'i').test(subject.trim()) ? subject : `${prefix}: ${subject}`;
}

export function mailRoutes(app: FastifyInstance, web: Web): void {
  const t = (req: FastifyRequest) => req.sp.t;

  const needLogin = (req: FastifyRequest, reply: FastifyReply) => {
    const next = safeNext(req.url.split('?')[0]);
    return web.send(req, reply, t(req)('login.title'), (ctx) => loginPage(ctx, { next, notice: req.sp.session ? null : { kind: 'error', text: t(req)('error.session') }, remember: true, ...(req.sp.session ? { address: req.sp.session.record.address } : {}) }), { status: 401, script: true });
  };
  const notFound = (req: FastifyRequest, reply: FastifyReply) => web.send(req, reply, t(req)('error.title'), (ctx) => errorPage(ctx, t(req)('error.notFound')), { status: 404 });

  /** The message when it is the caller's and their session is strong enough; else replies. */
  async function ownMessage(req: FastifyRequest, reply: FastifyReply, id: string): Promise<{ address: string; message: PortalMessage } | null> {
    const address = web.account(req);
    if (!address) {
      await needLogin(req, reply);
      return null;
    }
    const message = ID.test(id) ? await web.store.messages.forRecipient(id, address) : null;
    if (!message || message.deletedAt !== null) {
      await notFound(req, reply);
      return null;
    }
    if (!web.account(req, message.security)) {
      await needLogin(req, reply);
      return null;
    }
    req.sp.brand = message.branding;
    web.fallbackLocale(req, message.locale);
    return { address, message };
  }

  /** Opens the body (only for the owner, only while readable) and parses it. */
  async function readable(req: FastifyRequest, reply: FastifyReply, id: string): Promise<{ address: string; message: PortalMessage; view: MessageView; raw: Buffer } | null> {
    const own = await ownMessage(req, reply, id);
    if (!own) return null;
    const body = await web.store.messages.readableBody(id, own.address);
    if (!body.ok) {
      if (body.reason === 'not-found') await notFound(req, reply);
      else await web.send(req, reply, t(req)('error.title'), (ctx) => unavailablePage(ctx), { status: 410 });
      return null;
    }
    const raw = await web.ports.openBody(body.message, body.body);
    return { address: own.address, message: body.message, view: parseMessageView(raw), raw };
  }

  app.get('/', async (req, reply) => reply.redirect(web.account(req) ? '/inbox' : '/login', 303));

  app.get<{ Querystring: { done?: string } }>('/inbox', async (req, reply) => {
    const address = web.account(req);
    if (!address) return needLogin(req, reply);
    const all = await web.store.messages.list({ recipient: address, limit: 500 });
    const messages = all.filter((m) => (m.state === 'read' || m.state === 'unread') && m.deletedAt === null && web.account(req, m.security) !== null);
    req.sp.brand = messages.find((m) => m.branding)?.branding ?? null;
    return web.send(req, reply, t(req)('inbox.title'), (ctx) => inboxPage(ctx, messages, req.query.done === 'deleted' ? { kind: 'ok', text: t(req)('inbox.deleted') } : null));
  });

  app.get<{ Params: { id: string } }>('/messages/:id', async (req, reply) => {
    const r = await readable(req, reply, req.params.id);
    if (!r) return reply;
    const { message, view, address } = r;
    let frame: string | null = null;
    let blocked = 0;
    if (view.html !== null) {
      const clean = sanitizeMailHtml(view.html, view.inline);
      frame = frameDocument(clean.html, req.sp.locale);
      blocked = clean.blockedImages;
    }
    const marked = await web.store.messages.markRead(message.id, address);
    await web.audit(req, { event: 'read', address, messageId: message.id });
    if (marked?.first && message.readReceipts) {
      web.ports.readReceipt(marked.message, marked.message.readAt ?? web.now()).catch((err) => web.log.warn({ event: 'portal.read-receipt.failed', messageId: message.id, err: { message: (err as Error).message } }, 'read receipt could not be queued'));
      await web.audit(req, { event: 'read-receipt', address, messageId: message.id });
    }
    return web.send(req, reply, view.subject || message.subject || t(req)('message.noSubject'), (ctx) => messagePage(ctx, message, view, frame, blocked), { csp: MESSAGE_CSP });
  });

  /** The recipient hides a message from the inbox (the sender's view and the lifecycle keep it). */
  app.post<{ Params: { id: string } }>('/messages/:id/delete', async (req, reply) => {
    const own = await ownMessage(req, reply, req.params.id);
    if (!own) return reply;
    await web.store.messages.markDeleted(own.message.id, own.address);
    await web.audit(req, { event: 'delete', address: own.address, messageId: own.message.id });
    return reply.redirect('/inbox?done=deleted', 303);
  });

  app.get<{ Params: { id: string; part: string } }>('/messages/:id/parts/:part', async (req, reply) => {
    if (!PART.test(req.params.part)) return notFound(req, reply);
    const r = await readable(req, reply, req.params.id);
    if (!r) return reply;
    const part = r.view.attachments.find((a) => a.part === req.params.part) ?? [...r.view.inline.values()].find((a) => a.part === req.params.part);
    if (!part) return notFound(req, reply);
    await web.audit(req, { event: 'download', address: r.address, messageId: r.message.id, detail: { part: part.part } });
    const ascii = part.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(part.filename)}`)
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('x-content-type-options', 'nosniff')
      .send(part.data);
  });

  // ───── writing ─────
  type Kind = Exclude<SentKind, 'compose'>;
  const kindOf = (k: unknown): Kind | null => (k === 'reply' || k === 'reply-all' || k === 'forward' ? k : null);
  const allowed = (m: PortalMessage, kind: Kind) => (kind === 'reply' ? m.allowReply : kind === 'reply-all' ? m.allowReplyAll : m.allowForward);

  /** Reply recipients decided here: the internal sender, plus (reply-all) the original's internal To/Cc. */
  function replyRecipients(m: PortalMessage, kind: Kind, me: string): { to: string[]; cc: string[] } {
    if (kind === 'forward') return { to: [], cc: [] };
    const to = [m.sender];
    if (kind === 'reply') return { to, cc: [] };
    const cc = [...new Set([...m.to, ...m.cc].map((a) => a.toLowerCase()))].filter((a) => a !== me && a !== m.sender && web.ports.isInternal(a)).slice(0, MAX_RECIPIENTS);
    return { to, cc };
  }

  function formFor(req: FastifyRequest, m: PortalMessage, kind: Kind, me: string, view: MessageView | null, input?: Record<string, string>): ComposeForm {
    const r = replyRecipients(m, kind, me);
    const subject = view?.subject || m.subject;
    const title = kind === 'forward' ? t(req)('compose.forwardTitle') : kind === 'reply-all' ? t(req)('message.replyAll') : t(req)('compose.replyTitle');
    return {
      action: `/messages/${m.id}/reply?kind=${kind}`,
      title,
      fixedTo: kind === 'forward' ? null : [...r.to, ...r.cc],
      to: input?.to ?? '',
      subject: input?.subject ?? prefixed(kind === 'forward' ? 'Fwd' : 'Re', subject),
      body: input?.body ?? (kind === 'forward' || !view ? '' : quote(view.text ?? '', view)),
    };
  }

  app.get<{ Params: { id: string }; Querystring: { kind?: string } }>('/messages/:id/reply', async (req, reply) => {
    const kind = kindOf(req.query.kind);
    if (!kind) return notFound(req, reply);
    const r = await readable(req, reply, req.params.id);
    if (!r) return reply;
    if (!allowed(r.message, kind)) return web.send(req, reply, t(req)('error.title'), (ctx) => errorPage(ctx, t(req)('compose.notAllowed')), { status: 403 });
    const view = r.view.text === null && r.view.html !== null ? { ...r.view, text: htmlText(r.view.html) } : r.view;
    return web.send(req, reply, t(req)('compose.replyTitle'), (ctx) => composePage(ctx, formFor(req, r.message, kind, r.address, view), null));
  });

  app.post<{ Params: { id: string }; Querystring: { kind?: string } }>('/messages/:id/reply', async (req, reply) => {
    const kind = kindOf(req.query.kind);
    if (!kind) return notFound(req, reply);
    const r = await readable(req, reply, req.params.id);
    if (!r) return reply;
    if (!allowed(r.message, kind)) return web.send(req, reply, t(req)('error.title'), (ctx) => errorPage(ctx, t(req)('compose.notAllowed')), { status: 403 });
    const f = fields(req);
    const recipients = kind === 'forward' ? { to: addresses(f.to ?? ''), cc: [] } : replyRecipients(r.message, kind, r.address);
    const refuse = (notice: Notice) => web.send(req, reply, t(req)('compose.replyTitle'), (ctx) => composePage(ctx, formFor(req, r.message, kind, r.address, r.view, f), notice), { status: 400 });
    if (recipients.to.length === 0 || recipients.to.length > MAX_RECIPIENTS || ![...recipients.to, ...recipients.cc].every((a) => EMAIL.test(a) && web.ports.isInternal(a))) return refuse({ kind: 'error', text: t(req)('compose.badRecipient') });
    return send(req, reply, { kind, message: r.message, address: r.address, to: recipients.to, cc: recipients.cc, subject: f.subject ?? '', text: f.body ?? '' });
  });

  /** Compose is open to a recipient who may reply to at least one active message. */
  async function mayCompose(address: string, req: FastifyRequest): Promise<boolean> {
    const list = await web.store.messages.list({ recipient: address, limit: 500 });
    return list.some((m) => (m.state === 'read' || m.state === 'unread') && m.allowReply && web.account(req, m.security) !== null);
  }

  app.get('/compose', async (req, reply) => {
    const address = web.account(req);
    if (!address) return needLogin(req, reply);
    if (!(await mayCompose(address, req))) return web.send(req, reply, t(req)('error.title'), (ctx) => errorPage(ctx, t(req)('compose.notAllowed')), { status: 403 });
    return web.send(req, reply, t(req)('compose.title'), (ctx) => composePage(ctx, { action: '/compose', title: t(req)('compose.title'), fixedTo: null, to: '', subject: '', body: '' }, null));
  });

  app.post('/compose', async (req, reply) => {
    const address = web.account(req);
    if (!address) return needLogin(req, reply);
    if (!(await mayCompose(address, req))) return web.send(req, reply, t(req)('error.title'), (ctx) => errorPage(ctx, t(req)('compose.notAllowed')), { status: 403 });
    const f = fields(req);
    const to = addresses(f.to ?? '');
    if (to.length === 0 || to.length > MAX_RECIPIENTS || !to.every((a) => EMAIL.test(a) && web.ports.isInternal(a)))
      return web.send(req, reply, t(req)('compose.title'), (ctx) => composePage(ctx, { action: '/compose', title: t(req)('compose.title'), fixedTo: null, to: f.to ?? '', subject: f.subject ?? '', body: f.body ?? '' }, { kind: 'error', text: t(req)('compose.badRecipient') }), { status: 400 });
    return send(req, reply, { kind: 'compose', message: null, address, to, cc: [], subject: f.subject ?? '', text: f.body ?? '' });
  });

  async function send(req: FastifyRequest, reply: FastifyReply, o: { kind: SentKind; message: PortalMessage | null; address: string; to: string[]; cc: string[]; subject: string; text: string }) {
    const form = req.body as Partial<FormData> | undefined;
    const attachments = (form?.files ?? []).slice(0, 10).map((file) => ({ filename: file.filename, contentType: file.contentType, content: file.content }));
    let sent: { id: string };
    try {
      sent = await web.ports.inject({ account: o.address, kind: o.kind, inReplyTo: o.message, to: o.to, cc: o.cc, subject: o.subject.replace(/[\r\n]+/g, ' ').slice(0, 400), text: o.text.slice(0, 200_000), attachments, ip: req.ip });
    } catch (err) {
      // the back-end re-checks rights and recipients; its refusal is the user's to read, not a 500
      if ((err as { code?: string }).code !== 'SP_ERR_PORTAL_REPLY_REFUSED') throw err;
      web.log.info({ event: 'portal.reply.refused', kind: o.kind, messageId: o.message?.id, reason: (err as Error).message }, 'portal reply refused');
      return web.send(req, reply, t(req)('error.title'), (ctx) => errorPage(ctx, t(req)('compose.badRecipient')), { status: 403 });
    }
    await web.audit(req, { event: 'reply', address: o.address, messageId: o.message?.id ?? null, detail: { kind: o.kind, sent: sent.id, attachments: attachments.length } });
    web.log.info({ event: 'portal.reply', kind: o.kind, messageId: o.message?.id, sentId: sent.id }, 'portal reply injected');
    return reply.redirect('/sent?done=1', 303);
  }

  app.get<{ Querystring: { done?: string } }>('/sent', async (req, reply) => {
    const address = web.account(req);
    if (!address) return needLogin(req, reply);
    // like the inbox: a session sees the replies to messages its security level may open
    // (a link-only session does not see what was written about a `high` message); new messages
    // (compose) need at least a password-backed session
    const items: SentItem[] = [];
    const allowed = new Map<string, boolean>();
    for (const item of await web.store.sent.list(address, 200)) {
      if (!item.inReplyTo) {
        if (web.account(req, 'medium') !== null) items.push(item);
        continue;
      }
      if (!allowed.has(item.inReplyTo)) {
        const m = await web.store.messages.forRecipient(item.inReplyTo, address);
        allowed.set(item.inReplyTo, !!m && web.account(req, m.security) !== null);
      }
      if (allowed.get(item.inReplyTo)) items.push(item);
    }
    return web.send(req, reply, t(req)('sent.title'), (ctx) => sentPage(ctx, items, req.query.done ? { kind: 'ok', text: t(req)('compose.sent') } : null));
  });
}

/** Plain text of an HTML body, for quoting in a reply. */
function htmlText(html: string): string {
  return convert(html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { ignoreHref: true } }] }).slice(0, 100_000);
}
