/**
 * One SMTP transaction over an open session, and what each reply or failure means per recipient.
 *
 * Classification (RFC 5321 §4.2.1): 2yz delivered; 5yz bounced (503 excepted, see reply.ts);
 * 4yz, timeouts, refused/dropped connections and TLS failures deferred. Per recipient: a RCPT
 * refusal applies to that recipient only; the reply to DATA (or to the final dot) applies to
 * every recipient that RCPT accepted. Two deliberate deferrals for 5yz: a failed AUTH (a wrong
 * or rotated password is our fault, not the message's — Postfix's smtp_sasl_auth_soft_bounce)
 * and a failed STARTTLS or certificate check when the TLS policy requires TLS.
 * SECURITY: the body goes out byte for byte (never re-encoded): nodemailer only dot-stuffs and
 * turns a bare CR/LF into CRLF, which the wire requires.
 * STANDARDS: RFC 5321, RFC 6152 (8BITMIME), RFC 6531 (SMTPUTF8), RFC 1870 (SIZE), RFC 3463.
 */
import type { NodemailerError } from 'nodemailer/lib/errors';
import type { SMTPConnectionSendInfo } from 'nodemailer/lib/smtp-connection';
import { TlsPolicyError, type LiveConnection, type TrackedEnvelope } from './connection.js';
import { classifyCode, parseReply } from './reply.js';
import type { RecipientResult } from './types.js';

export type Verdict = Omit<RecipientResult, 'recipient'>;

/** What a transaction carries: one body, one sender, recipients. */
export interface Envelope {
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly body: Buffer;
  /** see DeliveryJob.requireVerifiedTls */
  readonly requireVerifiedTls?: { readonly fallback: Buffer | null };
}

export type Form = 'plaintext-over-verified-tls' | 'encrypted-fallback';

/**
 * TLS instead of encryption, decided per session once TLS is known: the plaintext body only over
 * a verified session, else the encrypted fallback, else nothing (the caller defers).
 */
export function chooseBody(job: Envelope, tls: { readonly verified: boolean } | null): { body: Buffer; form?: Form } | { refused: Verdict; form: Form } {
  if (!job.requireVerifiedTls) return { body: job.body };
  if (tls?.verified) return { body: job.body, form: 'plaintext-over-verified-tls' };
  if (job.requireVerifiedTls.fallback) return { body: job.requireVerifiedTls.fallback, form: 'encrypted-fallback' };
  const why = tls ? 'the TLS session was not verified' : 'the session has no TLS';
  return { refused: deferred(`verified TLS required (TLS instead of encryption) but ${why}`, '4.7.5'), form: 'plaintext-over-verified-tls' };
}

const TLS_FAILURE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_)/;
const SETUP_COMMANDS = new Set(['CONN', 'EHLO', 'HELO']);
/** nodemailer codes after which the session is still in a known state and may be reused */
const SESSION_INTACT = new Set(['EENVELOPE', 'EMESSAGE']);

export const deferred = (response: string, enhanced?: string): Verdict => (enhanced ? { status: 'deferred', response, enhanced } : { status: 'deferred', response });

export function fromReply(raw: string): Verdict {
  const r = parseReply(raw);
  const v: { status: RecipientResult['status']; response: string; code?: number; enhanced?: string } = { status: classifyCode(r.code), response: r.text };
  if (r.code !== undefined) v.code = r.code;
  if (r.enhanced !== undefined) v.enhanced = r.enhanced;
  return v;
}

/** What a failure without a usable reply tells the operator. */
export function describeError(err: NodemailerError, socketMs: number): string {
  const limit = socketMs < 10_000 ? `${socketMs} ms` : `${Math.round(socketMs / 1000)} s`;
  if (err.code === 'ETIMEDOUT' && err.message === 'Timeout') return `timeout: no reply from the next hop within ${limit}`;
  return err.message;
}

/** A TLS handshake that failed (not a refused STARTTLS command, which has a reply). */
export function isHandshakeFailure(err: unknown): boolean {
  if (err instanceof TlsPolicyError) return false;
  const ne = err as NodemailerError;
  const original = (err as { originalCode?: unknown }).originalCode;
  const duringStartTls = (err as { duringStartTls?: unknown }).duringStartTls === true;
  return duringStartTls || (ne?.code === 'ETLS' && !ne.response) || (typeof original === 'string' && TLS_FAILURE.test(original));
}

/** Failures while opening a session (greeting, EHLO, STARTTLS, the TLS policy, AUTH). */
export function setupVerdict(err: NodemailerError | TlsPolicyError, socketMs: number, peer: string): Verdict {
  if (err instanceof TlsPolicyError) return deferred(err.message, err.enhanced);
  const reply = err.response ? parseReply(err.response).text : undefined;
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH') return deferred(`authentication failed: ${reply ?? err.message}`, '4.7.0');
  if (err.code === 'ETLS' && reply) return deferred(`TLS required but ${peer} refused STARTTLS: ${reply}`, '4.7.4');
  if (isHandshakeFailure(err)) return deferred(`TLS handshake with ${peer} failed: ${err.message.replace(/^Error initiating TLS - /, '')}`, '4.7.5');
  if (err.response && SETUP_COMMANDS.has(err.command ?? '')) return fromReply(err.response);
  return deferred(reply ?? describeError(err, socketMs));
}

function hasHighBytes(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) if (buf[i]! >= 0x80) return true;
  return false;
}

const nonAscii = (s: string): boolean => /[^\x00-\x7f]/.test(s);

/** What can be put between angle brackets in MAIL FROM / RCPT TO ('' only for the sender). */
function validAddress(address: string, isSender: boolean): boolean {
  if (address === '') return isSender;
  return address.length <= 320 && !/[\x00-\x20\x7f<>]/.test(address) && address.includes('@');
}

/** Sends one message over an open session; results in `envelope.recipients` order. */
export async function transact(live: LiveConnection, job: Envelope, socketMs: number): Promise<{ results: RecipientResult[]; reusable: boolean }> {
  const local = new Map<string, Verdict>();
  const all = (v: Verdict): { results: RecipientResult[]; reusable: boolean } => ({ results: job.recipients.map((recipient) => ({ recipient, ...v })), reusable: true });
  // nodemailer refuses the whole envelope for one malformed address: judge them here instead.
  if (!validAddress(job.sender, true)) return all({ status: 'bounced', response: `invalid sender address ${JSON.stringify(job.sender)}`, enhanced: '5.1.7' });
  for (const r of job.recipients) {
    if (!validAddress(r, false)) local.set(r, { status: 'bounced', response: `invalid recipient address ${JSON.stringify(r)}`, enhanced: '5.1.3' });
  }
  const ext = live.extensions;
  if (ext.maxSize > 0 && job.body.length > ext.maxSize) {
    return all({ status: 'bounced', response: `message size ${job.body.length} exceeds the next hop's limit of ${ext.maxSize} bytes`, enhanced: '5.3.4' });
  }
  // RFC 6531 §3.4: a non-ASCII address may only travel to a server announcing SMTPUTF8.
  // (When the EHLO reply is unknown to us, the server judges the address itself.)
  if (ext.known && !ext.names.has('SMTPUTF8')) {
    const v: Verdict = { status: 'bounced', response: 'the next hop does not support SMTPUTF8, required for this non-ASCII address', enhanced: '5.6.7' };
    if (nonAscii(job.sender)) return all(v);
    for (const r of job.recipients) if (nonAscii(r) && !local.has(r)) local.set(r, v);
  }
  const to = [...new Set(job.recipients.filter((r) => !local.has(r)))];
  if (to.length === 0) return { results: job.recipients.map((recipient) => ({ recipient, ...local.get(recipient)! })), reusable: true };

  // nodemailer writes accepted/rejected/rejectedErrors/mailError onto this very object.
  const envelope: TrackedEnvelope = { from: job.sender, to, size: job.body.length, use8BitMime: hasHighBytes(job.body) };
  let info: SMTPConnectionSendInfo | undefined;
  let failure: NodemailerError | undefined;
  try {
    info = await live.send(envelope, job.body);
  } catch (err) {
    failure = err as NodemailerError;
  }
  const refused = new Map<string, NodemailerError>();
  for (const e of envelope.rejectedErrors ?? []) if (e.recipient) refused.set(e.recipient, e);
  const overall = (): Verdict => {
    if (envelope.mailError?.response) return fromReply(envelope.mailError.response);
    if (info) return fromReply(info.response);
    if (failure?.response) return fromReply(failure.response);
    return deferred(describeError(failure ?? new Error('no reply'), socketMs));
  };
  const results = job.recipients.map((recipient): RecipientResult => {
    const mine = local.get(recipient);
    if (mine) return { recipient, ...mine };
    const rcpt = refused.get(recipient);
    // A refused MAIL FROM makes later RCPT replies meaningless (503s): the MAIL reply decides.
    if (rcpt?.response && !envelope.mailError) return { recipient, ...fromReply(rcpt.response) };
    return { recipient, ...overall() };
  });
  const reusable = live.usable && (!failure || (SESSION_INTACT.has(failure.code ?? '') && failure.responseCode !== 421));
  return { results, reusable };
}
