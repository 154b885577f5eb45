/**
 * portal/inject — replies, reply-alls, forwards and new messages written in the portal enter
 * the gateway as inbound mail to internal users (DESIGN §2: surfaces hand mail to the spool,
 * they never speak SMTP to the gateway), so they pass the normal inbound pipeline (policy, DLP,
 * finalize) like any other mail. From is the system address (we cannot send as the portal
 * user's domain), Reply-To is the portal user, In-Reply-To/References thread it. The injected
 * MIME is kept sealed as the user's sent item.
 *
 * SECURITY: who may be written to is decided here, server-side, from the stored message — never
 * from what the browser sent: the original must be the account's own, still readable, and the
 * profile/header flags must allow the kind; every recipient must be an internal address:
 *   reply      → exactly the original's sender
 *   reply-all  → the sender and the internal To/Cc of the original
 *   forward    → any internal address (the original is re-read from the store and attached)
 *   compose    → any internal address, for accounts that hold a message allowing replies
 * Refusals are SP_ERR_PORTAL_REPLY_REFUSED with the reason (shown to the user, no address
 * other than the ones they typed).
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Direction, Envelope, SessionInfo } from '../mail/envelope.js';
import { SealpostError } from '../errors/index.js';
import { rfc5322Date } from '../notify/mime.js';
import type { PortalCrypto } from './crypto.js';
import { addressesIn } from './deposit.js';
import type { PortalMessage, PortalStore, SentKind } from './store.js';

export interface InjectAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface InjectRequest {
  /** the logged-in portal account (lowercased by the store) */
  readonly account: string;
  readonly kind: SentKind;
  /** id of the portal message answered or forwarded; null for compose */
  readonly originalId: string | null;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly attachments: readonly InjectAttachment[];
  /** client IP, for the Received header and the audit log */
  readonly ip?: string;
}

export interface InjectDeps {
  readonly store: PortalStore;
  readonly crypto: PortalCrypto;
  /** the spool (stores.spool.accept, wrapped by app.ts to poke the pipeline) */
  readonly spool: { accept(message: { id: string; envelope: Envelope; session: SessionInfo; body: Buffer }): Promise<void> };
  readonly isInternal: (address: string) => boolean;
  /** system sender address (notifications.from) */
  readonly from: string;
  readonly hostname: string;
  /** portal.maxUpload */
  readonly maxBytes: number;
  readonly now: () => number;
  readonly newId: () => string;
}

const MAX_RECIPIENTS = 50;
const SIMPLE_ADDRESS = /^[^\s@<>,;:"()\\]+@[^\s@<>,;:"()\\]+\.[^\s@<>,;:"()\\]+$/;

function refuse(reason: string, context: Record<string, string> = {}): never {
  throw new SealpostError('SP_ERR_PORTAL_REPLY_REFUSED', reason, { stage: 'portal-inject', ...context });
}

/** Which recipients this kind of message may have; throws SP_ERR_PORTAL_REPLY_REFUSED. */
export function checkRecipients(kind: SentKind, original: PortalMessage | null, account: string, to: readonly string[], cc: readonly string[], isInternal: (a: string) => boolean): string[] {
  const all = [...new Set([...to, ...cc].map((a) => a.trim().toLowerCase()).filter((a) => a !== ''))];
  if (all.length === 0) refuse('a message needs at least one recipient');
  if (all.length > MAX_RECIPIENTS) refuse(`at most ${MAX_RECIPIENTS} recipients`);
  for (const a of all) {
    if (!SIMPLE_ADDRESS.test(a)) refuse(`not an e-mail address: ${a.slice(0, 100)}`);
    if (!isInternal(a)) refuse(`${a} cannot be written to from the portal (only addresses of the organisation that sent you the message)`);
  }
  if (kind === 'compose') return all;
  if (!original) refuse(`a ${kind} needs the message it answers`);
  if (original.recipient !== account.toLowerCase()) refuse('no such message');
  if (original.state === 'recalled' || original.state === 'expired') refuse('the message was withdrawn or has expired');
  const sender = original.sender.toLowerCase();
  if (kind === 'reply') {
    if (!original.allowReply) refuse('replies to this message are not allowed');
    if (all.length !== 1 || all[0] !== sender) refuse('a reply goes to the sender only');
  } else if (kind === 'reply-all') {
    if (!original.allowReplyAll) refuse('reply-all is not allowed for this message');
    const allowed = new Set([sender, ...[...original.to, ...original.cc].filter((a) => isInternal(a))]);
    allowed.delete(account.toLowerCase());
    const extra = all.filter((a) => !allowed.has(a));
    if (extra.length > 0) refuse(`reply-all goes only to the sender and the organisation's recipients of the original; not to ${extra.join(', ')}`);
  } else if (kind === 'forward') {
    if (!original.allowForward) refuse('forwarding this message is not allowed');
  }
  return all;
}

/** Browser-supplied part metadata goes into headers: only a plain type/subtype, no line breaks. */
const safeType = (t: string) => (/^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/i.test(t.trim()) ? t.trim().toLowerCase() : 'application/octet-stream');
const safeName = (n: string) => n.replace(/[\u0000-\u001f\u007f"\\/]+/g, '_').slice(0, 200) || 'attachment';

function receivedHeader(hostname: string, id: string, ip: string | undefined, now: number): string {
  const from = ip && /^[0-9a-f.:]+$/i.test(ip) ? `from portal ([${ip}]) ` : '';
  return `Received: ${from}by ${hostname} (Sealpost portal) with HTTPS id ${id};\r\n\t${rfc5322Date(now)}\r\n`;
}

async function build(deps: InjectDeps, req: InjectRequest, recipients: { to: string[]; cc: string[] }, original: PortalMessage | null, forwarded: Buffer | null, messageId: string, now: number): Promise<Buffer> {
  const refs = original?.originalMessageId ? [original.originalMessageId] : [];
  const composer = new MailComposer({
    from: { name: `${req.account} (via secure portal)`, address: deps.from },
    replyTo: req.account,
    to: recipients.to,
    cc: recipients.cc,
    subject: req.subject.replace(/[\r\n]+/g, ' ').slice(0, 500),
    text: req.text,
    date: new Date(now),
    messageId,
    ...(refs.length > 0 && (req.kind === 'reply' || req.kind === 'reply-all') ? { inReplyTo: refs[0], references: refs } : {}),
    attachments: [
      ...req.attachments.map((a) => ({ filename: safeName(a.filename), contentType: safeType(a.contentType), content: a.content })),
      ...(forwarded ? [{ filename: 'forwarded-message.eml', contentType: 'message/rfc822', content: forwarded }] : []),
    ],
    // our own marker is set by finalize after the inbound pipeline; nothing to forge here
    headers: { 'X-Mailer': 'Sealpost portal' },
  });
  return new Promise<Buffer>((resolve, reject) => composer.compile().build((err, message) => (err ? reject(err) : resolve(message))));
}

/** Injects the message; returns the sent item id and the spool id it went in as. */
export async function injectReply(deps: InjectDeps, req: InjectRequest): Promise<{ id: string; spoolId: string }> {
  const account = req.account.toLowerCase();
  const original = req.originalId === null ? null : await deps.store.messages.forRecipient(req.originalId, account);
  if (req.originalId !== null && !original) refuse('no such message');
  if (req.kind === 'compose') {
    const mine = await deps.store.messages.list({ recipient: account, limit: 1000 });
    if (!mine.some((m) => m.allowReply)) refuse('new messages can be written only by recipients of a message that allows replies');
  }
  const recipients = checkRecipients(req.kind, original, account, req.to, req.cc, deps.isInternal);
  const lc = (list: readonly string[]) => [...new Set(list.map((a) => a.trim().toLowerCase()).filter((a) => a !== ''))];
  const to = lc(req.to);
  const cc = lc(req.cc).filter((a) => !to.includes(a));

  // forward: the original is read again from the store (never taken from the browser)
  let forwarded: Buffer | null = null;
  if (req.kind === 'forward') {
    const body = await deps.store.messages.readableBody(original!.id, account);
    if (!body.ok) refuse('the message was withdrawn or has expired');
    forwarded = deps.crypto.open('message', original!.id, body.body);
  }
  const size = req.text.length + req.attachments.reduce((n, a) => n + a.content.length, 0) + (forwarded?.length ?? 0);
  if (size > deps.maxBytes) refuse(`the message is larger than ${deps.maxBytes} bytes`);

  const now = deps.now();
  const spoolId = deps.newId();
  const sentId = deps.newId();
  const messageId = `<${spoolId}.portal@${deps.hostname}>`;
  const mime = await build(deps, { ...req, account }, { to, cc }, original, forwarded, messageId, now);
  const body = Buffer.concat([Buffer.from(receivedHeader(deps.hostname, spoolId, req.ip, now), 'latin1'), mime]);
  const direction: Direction = 'inbound';
  await deps.spool.accept({
    id: spoolId,
    envelope: { mailFrom: deps.from, recipients: recipients.map((address) => ({ address, direction })) },
    // not an SMTP session: no relay right, no authenticated SMTP user (the portal login is not one)
    session: { listener: 'portal', remoteAddress: req.ip ?? '', helo: deps.hostname, tls: null, authUser: null, mayRelay: false, receivedAt: now },
    body,
  });
  const sealed = deps.crypto.seal('sent', sentId, mime);
  await deps.store.sent.add({
    id: sentId,
    account,
    kind: req.kind,
    inReplyTo: original?.id ?? null,
    to,
    cc,
    subject: req.subject.slice(0, 500),
    spoolId,
    createdAt: now,
    size: mime.length,
    attachments: [...req.attachments.map((a, i) => ({ part: String(i + 2), filename: safeName(a.filename), contentType: safeType(a.contentType), size: a.content.length }))],
    ...sealed,
  });
  // the audit entry ('reply') is the caller's: the web app records it with the request's IP
  return { id: sentId, spoolId };
}

/** Addresses in free-text recipient fields ("a@x, b@y; C <c@z>"), for the web app's forms. */
export function parseRecipientField(value: string): string[] {
  return addressesIn([value]);
}
