/**
 * Sealpost's own notices to people (encryption failed, quarantined, blocked, …): a text/plain
 * UTF-8 part — or multipart/alternative text + HTML — optionally followed by the original header
 * block. Wording comes from the template engine (template/engine.ts, used by notifier.ts); this
 * file only builds a correct message.
 *
 * SECURITY: the X-Sealpost-Notification header marks the message as ours, so the gateway never
 * re-processes it and nobody bounces to it; Auto-Submitted: auto-generated (RFC 3834) keeps
 * auto-responders quiet. Header values are cleaned of controls (no header injection).
 * STANDARDS: RFC 5322, RFC 2045/2046 (QP, base64, multipart/mixed, multipart/alternative),
 * RFC 2047, RFC 3282 (Content-Language), RFC 3834, RFC 6522 §4.
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
  /** the same content as an HTML document: the body becomes multipart/alternative (text, html) */
  readonly html?: string;
  /** language of the text (RFC 3282 Content-Language), e.g. `de` */
  readonly language?: string;
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
  const text = bodyPart('text/plain', input.text);
  const html = input.html === undefined ? undefined : bodyPart('text/html', input.html);
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
    rawHeader('X-Sealpost-Notification', input.type) +
    (input.language && /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/.test(input.language) ? rawHeader('Content-Language', input.language) : '');

  // The content: one text part, or text and HTML as alternatives (plainest first, RFC 2046 §5.1.4).
  let content: { headers: string; body: string };
  if (!html) content = text;
  else {
    const alt = boundaryFor(text.body, html.body);
    content = {
      headers: rawHeader('Content-Type', `multipart/alternative; boundary="${alt}"`),
      body: [`--${alt}${CRLF}`, text.headers, CRLF, text.body, `${CRLF}--${alt}${CRLF}`, html.headers, CRLF, html.body, `${CRLF}--${alt}--${CRLF}`].join(''),
    };
  }
  let body: string;
  if (!original) {
    head += content.headers;
    body = CRLF + content.body;
  } else {
    const boundary = boundaryFor(content.body, original.body);
    head += rawHeader('Content-Type', `multipart/mixed; boundary="${boundary}"`);
    body = [
      CRLF,
      `This is a multi-part message in MIME format.${CRLF}`,
      `${CRLF}--${boundary}${CRLF}`,
      content.headers,
      CRLF,
      content.body,
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

/**
 * One UTF-8 text part, 7-bit on the wire: quoted-printable for mostly-Latin text (readable in
 * the raw message), base64 when most bytes are non-ASCII (CJK, Cyrillic: QP would triple them).
 */
export function bodyPart(type: 'text/plain' | 'text/html', content: string): { headers: string; body: string } {
  const normalized = content.replace(/\r\n|\r|\n/g, CRLF);
  const bytes = Buffer.from(normalized.endsWith(CRLF) ? normalized : normalized + CRLF, 'utf8');
  let high = 0;
  for (const b of bytes) if (b >= 0x80) high++;
  const ctype = `Content-Type: ${type}; charset=utf-8${CRLF}`;
  if (high * 3 > bytes.length) {
    const b64 = bytes.toString('base64').replace(/.{1,76}/g, (l) => l + CRLF);
    return { headers: `${ctype}Content-Transfer-Encoding: base64${CRLF}`, body: b64 };
  }
  return { headers: `${ctype}Content-Transfer-Encoding: quoted-printable${CRLF}`, body: quotedPrintable(normalized) };
}
