/**
 * RFC 3464 delivery status notifications (bounces and delay warnings), sent from `<>`.
 *
 * The report is multipart/report (RFC 6522) with three parts: a plain-English explanation, the
 * machine-readable message/delivery-status, and the original message's header block as
 * text/rfc822-headers — never its body, so no content leaks back (the sender wrote it anyway,
 * but a DSN may be misdirected, and encrypted content must not come back in clear).
 * SECURITY: every value comes from the envelope or a remote server's reply: controls are
 * stripped, non-ASCII is escaped (addresses as RFC 6533 utf-8-addr-xtext, replies as '?').
 * STANDARDS: RFC 3464, RFC 6522, RFC 3463, RFC 6533 §3, RFC 5322, RFC 3834 (Auto-Submitted).
 */
import { SealpostError } from '../errors/index.js';
import { boundaryFor, clean, CRLF, header, newMessageId, originalHeaderPart, rawHeader, rfc5322Date } from './mime.js';
import { bodyPart } from './notice.js';
import { TemplateEngine } from './template/engine.js';

export interface DsnRecipient {
  readonly address: string;
  readonly action: 'failed' | 'delayed';
  /** RFC 3463 status, e.g. "5.1.1" */
  readonly status: string;
  /**
   * the remote SMTP reply, e.g. "550 5.1.1 no such user" (becomes `Diagnostic-Code: smtp; …`);
   * a text without a reply code (e.g. "connect ECONNREFUSED …") becomes `X-Sealpost; …`
   */
  readonly diagnostic?: string;
  /** the host that gave the reply */
  readonly remoteMta?: string;
  readonly lastAttemptAt?: number;
  /** delayed only: when we give up (Will-Retry-Until) */
  readonly willRetryUntil?: number;
}

export interface DsnInput {
  /** our host name: Reporting-MTA and the Message-ID domain */
  readonly hostname: string;
  /** the postmaster address the DSN comes from, e.g. MAILER-DAEMON@gw.example.test */
  readonly postmaster: string;
  /** the original envelope sender (a DSN is never sent to <>: the caller checks) */
  readonly to: string;
  readonly arrivalDate: number;
  readonly recipients: readonly DsnRecipient[];
  /** the original message's header block (a whole message is cut at the blank line) */
  readonly originalHeaders: Buffer;
  /** ENVID from the original MAIL FROM */
  readonly envelopeId?: string;
  readonly now: number;
  /** fixed Message-ID (tests, idempotent replays); generated otherwise */
  readonly messageId?: string;
  /** wording of the human-readable part and the subject (`dsn` templates); built-in English by default */
  readonly engine?: TemplateEngine;
  /** locale of the human-readable part (see TemplateEngine.resolveLocale) */
  readonly locale?: string;
}

const englishOnly = new TemplateEngine();

const STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;

function invalid(detail: string): SealpostError {
  return new SealpostError('SP_ERR_INTERNAL', `dsn: ${detail}`, { stage: 'notify' });
}

/** RFC 6533 §3: an address in a 7-bit report — ASCII as rfc822, otherwise utf-8 with \x{HEX}. */
export function reportAddress(address: string): string {
  const a = clean(address);
  if (/^[\x21-\x7e]*$/.test(a)) return `rfc822; ${a}`;
  const escaped = [...a].map((ch) => (/[\x21-\x7e]/.test(ch) && ch !== '\\' && ch !== '+' && ch !== '=' ? ch : `\\x{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`)).join('');
  return `utf-8; ${escaped}`;
}

/** Printable ASCII only (status fields are 7-bit text). */
const ascii7 = (s: string): string => clean(s).replace(/[^\x20-\x7e]/g, '?');

/** An SMTP reply is `smtp; 550 …`; anything else (connection refused, …) is our own text. */
function diagnosticCode(diagnostic: string): string {
  const d = ascii7(diagnostic);
  return /^[245]\d\d(?:[ -]|$)/.test(d) ? `smtp; ${d}` : `X-Sealpost; ${d}`;
}

function explain(r: DsnRecipient): string {
  const where = r.remoteMta ? `host ${ascii7(r.remoteMta)} said: ` : '';
  const what = r.diagnostic ? `${where}${clean(r.diagnostic)}` : `status ${r.status}`;
  return `<${clean(r.address)}>: ${what}`;
}

/** Subject and human-readable text from the `dsn` templates; the per-recipient lines are data. */
function human(input: DsnInput, failed: readonly DsnRecipient[], delayed: readonly DsnRecipient[]): { subject: string; text: string } {
  const r = (input.engine ?? englishOnly).render({
    type: 'dsn',
    locale: input.locale,
    to: input.to,
    vars: {
      host: ascii7(input.hostname),
      failed: failed.map(explain),
      delayed: delayed.map((d) => explain(d) + (d.willRetryUntil ? ` (retrying until ${rfc5322Date(d.willRetryUntil)})` : '')),
    },
  });
  return { subject: r.subject, text: r.text };
}

function statusFields(input: DsnInput): string {
  let s = rawHeader('Reporting-MTA', `dns; ${ascii7(input.hostname)}`);
  if (input.envelopeId) s += rawHeader('Original-Envelope-Id', ascii7(input.envelopeId));
  s += rawHeader('Arrival-Date', rfc5322Date(input.arrivalDate));
  for (const r of input.recipients) {
    s += CRLF; // a blank line starts each per-recipient group
    s += rawHeader('Final-Recipient', reportAddress(r.address));
    s += rawHeader('Action', r.action);
    s += rawHeader('Status', r.status);
    if (r.remoteMta) s += rawHeader('Remote-MTA', `dns; ${ascii7(r.remoteMta)}`);
    if (r.diagnostic) s += rawHeader('Diagnostic-Code', diagnosticCode(r.diagnostic));
    if (r.lastAttemptAt !== undefined) s += rawHeader('Last-Attempt-Date', rfc5322Date(r.lastAttemptAt));
    if (r.action === 'delayed' && r.willRetryUntil !== undefined) s += rawHeader('Will-Retry-Until', rfc5322Date(r.willRetryUntil));
  }
  return s;
}

/** Builds the complete DSN message (CRLF line ends, 7-bit, every line ≤ 998 octets). */
export function buildDsn(input: DsnInput): Buffer {
  if (input.recipients.length === 0) throw invalid('no recipients to report');
  for (const r of input.recipients) {
    if (!STATUS.test(r.status)) throw invalid(`status "${ascii7(r.status)}" is not an RFC 3463 code`);
    if (r.action === 'delayed' && !r.status.startsWith('4.')) throw invalid('a delayed recipient needs a 4.x.x status');
  }
  const failed = input.recipients.filter((r) => r.action === 'failed');
  const delayed = input.recipients.filter((r) => r.action === 'delayed');

  const words = human(input, failed, delayed);
  const text = bodyPart('text/plain', words.text);
  const report = statusFields(input);
  const original = originalHeaderPart(input.originalHeaders);
  const boundary = boundaryFor(text.body, report, original.body);

  const head =
    rawHeader('From', `Mail Delivery System <${clean(input.postmaster)}>`) +
    rawHeader('To', `<${clean(input.to)}>`) +
    header('Subject', words.subject) +
    rawHeader('Date', rfc5322Date(input.now)) +
    rawHeader('Message-ID', input.messageId ?? newMessageId(input.hostname, input.now)) +
    rawHeader('MIME-Version', '1.0') +
    rawHeader('Auto-Submitted', 'auto-replied') +
    rawHeader('X-Sealpost-Notification', 'dsn') +
    rawHeader('Content-Type', `multipart/report; report-type=delivery-status; boundary="${boundary}"`);

  const parts = [
    head,
    CRLF,
    `This is a MIME-formatted delivery status notification.${CRLF}`,
    `${CRLF}--${boundary}${CRLF}`,
    `Content-Description: Notification${CRLF}`,
    text.headers,
    CRLF,
    text.body,
    `${CRLF}--${boundary}${CRLF}`,
    `Content-Description: Delivery report${CRLF}`,
    `Content-Type: message/delivery-status${CRLF}${CRLF}`,
    report,
    `${CRLF}--${boundary}${CRLF}`,
    `Content-Description: Undelivered Message Headers${CRLF}`,
    `Content-Type: text/rfc822-headers${original.eightBit ? '; charset=utf-8' : ''}${CRLF}`,
    original.eightBit ? `Content-Transfer-Encoding: quoted-printable${CRLF}` : '',
    CRLF,
    original.body,
    `${CRLF}--${boundary}--${CRLF}`,
  ];
  // ASCII throughout, except a non-ASCII sender address in To (RFC 6532 needs raw UTF-8 there).
  return Buffer.from(parts.join(''), 'utf8');
}
