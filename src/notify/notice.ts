/**
 * Sealpost's own notices to people (encryption failed, quarantined, blocked, …): one text/plain
 * UTF-8 part, optionally followed by the original header block. Wording lives with the caller
 * (and, later, in per-locale templates); this file only builds a correct message.
 *
 * SECURITY: the X-Sealpost-Notification header marks the message as ours, so the gateway never
 * re-processes it and nobody bounces to it; Auto-Submitted: auto-generated (RFC 3834) keeps
 * auto-responders quiet. Header values are cleaned of controls (no header injection).
 * STANDARDS: RFC 5322, RFC 2045/2046 (QP, multipart/mixed), RFC 2047, RFC 3834, RFC 6522 §4.
 */
import { SealpostError } from '../errors/index.js';
import { boundaryFor, clean, CRLF, encodeText, header, isAscii, newMessageId, originalHeaderPart, quotedPrintable, rawHeader, rfc5322Date } from './mime.js';

/** The notice types of the header contract (DESIGN §5), `dsn` excepted: see buildDsn. */
export const NOTICE_TYPES = [
  'portal-message',
  'portal-reminder',
  'pdf-password',
  'encryption-failed',
  'quarantined',
  'blocked',
  'read-receipt',
  'expired',
  'decrypt-failed',
] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

export interface NoticeInput {
  readonly type: NoticeType;
  /** our host name (Message-ID domain) */
  readonly hostname: string;
  /** the system sender address (`notifications` config) */
  readonly from: string;
  /** display name for From; none by default */
  readonly fromName?: string;
  readonly to: string;
  readonly subject: string;
  /** the body in plain text; any line ends */
  readonly text: string;
  /** attach the original message's header block as text/rfc822-headers */
  readonly originalHeaders?: Buffer;
  readonly now: number;
  readonly messageId?: string;
}

function mailbox(name: string | undefined, address: string): string {
  const a = `<${clean(address)}>`;
  if (!name) return a;
  const n = clean(name);
  // An ASCII name is quoted (it may hold specials); a non-ASCII one becomes encoded-words.
  return isAscii(n) ? `"${n.replace(/(["\\])/g, '\\$1')}" ${a}` : `${encodeText(n)} ${a}`;
}

/** Builds the notice (CRLF line ends, 7-bit unless an address is non-ASCII, lines ≤ 998 octets). */
export function buildNotice(input: NoticeInput): Buffer {
  if (!(NOTICE_TYPES as readonly string[]).includes(input.type)) {
    throw new SealpostError('SP_ERR_INTERNAL', `notice: unknown type "${clean(String(input.type))}"`, { stage: 'notify' });
  }
  const text = quotedPrintable(input.text);
  const original = input.originalHeaders ? originalHeaderPart(input.originalHeaders) : undefined;
  const from = mailbox(input.fromName, input.from);

  let head =
    rawHeader('From', from) +
    rawHeader('To', `<${clean(input.to)}>`) +
    header('Subject', input.subject) +
    rawHeader('Date', rfc5322Date(input.now)) +
    rawHeader('Message-ID', input.messageId ?? newMessageId(input.hostname, input.now)) +
    rawHeader('MIME-Version', '1.0') +
    rawHeader('Auto-Submitted', 'auto-generated') +
    rawHeader('X-Sealpost-Notification', input.type);

  const textHeaders = `Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}`;
  let body: string;
  if (!original) {
    head += textHeaders;
    body = CRLF + text;
  } else {
    const boundary = boundaryFor(text, original.body);
    head += rawHeader('Content-Type', `multipart/mixed; boundary="${boundary}"`);
    body = [
      CRLF,
      `This is a multi-part message in MIME format.${CRLF}`,
      `${CRLF}--${boundary}${CRLF}`,
      textHeaders,
      CRLF,
      text,
      `${CRLF}--${boundary}${CRLF}`,
      `Content-Type: text/rfc822-headers${original.eightBit ? '; charset=utf-8' : ''}${CRLF}`,
      `Content-Description: Headers of your original message${CRLF}`,
      original.eightBit ? `Content-Transfer-Encoding: quoted-printable${CRLF}` : '',
      CRLF,
      original.body,
      `${CRLF}--${boundary}--${CRLF}`,
    ].join('');
  }
  return Buffer.from(head + body, 'utf8');
}

/** The wording of the `encryption-failed` notice (English; locales come with templates). */
export function encryptionFailedText(input: { recipients: readonly string[]; timeout: string; originalSubject?: string }): { subject: string; text: string } {
  const who = input.recipients.map((r) => clean(r)).join(', ');
  const about = input.originalSubject ? ` ("${clean(input.originalSubject)}")` : '';
  const subject = `Not delivered: your message could not be sent securely${about}`;
  const text = [
    `Your message${about} to ${who} could not be delivered securely:`,
    `no encryption method could serve the recipient within ${clean(input.timeout)};`,
    'it was not sent. Nobody received it in plain text.',
    '',
    'What you can do: ask the recipient for an S/MIME certificate or an',
    'OpenPGP key, or ask your administrator about another delivery method',
    '(PDF or portal).',
    '',
  ].join('\n');
  return { subject, text };
}
