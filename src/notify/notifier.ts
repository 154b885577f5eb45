/**
 * The Notifier: turns a notice request (type, recipient, variables) into a complete, stamped
 * message that a step hands to emitNotice(branch, notice). Every notice Sealpost writes to a
 * person goes through here, so markers (X-Sealpost-Notification, Auto-Submitted, loop marker),
 * the system sender and the wording stay in one place.
 *
 * SECURITY: variables are untrusted (subjects and addresses come from senders): the engine escapes
 * them for each output (HTML entities, no controls or line breaks in text and headers). The loop
 * marker (X-Sealpost-Processed) makes the gateway recognise the notice as its own if it comes back.
 * STANDARDS: RFC 5322, RFC 3834 (Auto-Submitted), RFC 2045–2047.
 */
import type { OutgoingNotice } from '../mail/context.js';
import type { Direction } from '../mail/envelope.js';
import { MessageDraft } from '../mime/draft.js';
import { stampForDelivery } from '../protect/finalize-stage.js';
import { buildNotice, type NoticeType } from './notice.js';
import { TemplateEngine } from './template/engine.js';
import { HEADER_TYPE, type ComposableType } from './template/types.js';

export type NoticeVar = string | number | boolean | readonly string[] | undefined;

export interface NoticeRequest {
  /**
   * DESIGN §5 types: portal-message, portal-reminder, pdf-password, encryption-failed, quarantined,
   * blocked, read-receipt, expired, decrypt-failed; plus portal-sent (the sender's copy with a recall
   * link) and portal-password-reset, which travel as `portal-message`
   */
  readonly type: NoticeType | ComposableType;
  /** the notice's recipient */
  readonly to: string;
  /** 'de', 'ja' …; else the profile's locale, else notifications.locale, else 'en' */
  readonly locale?: string;
  /** encryption profile name (branding, locale) */
  readonly profile?: string;
  readonly vars: Readonly<Record<string, NoticeVar>>;
  /** attach the original header block (text/rfc822-headers) */
  readonly originalHeaders?: Buffer;
  /** dedupe key for emitNotice; default `${type}:${to}` */
  readonly key?: string;
}

export interface Notifier {
  /** A complete notice (From = system sender, X-Sealpost-Notification, Auto-Submitted, loop marker
   *  stamped, direction chosen by whether `to` is internal), ready for emitNotice(branch, notice). */
  compose(req: NoticeRequest): OutgoingNotice;
}

export interface NotifierOptions {
  /** our host name (Message-ID domain) */
  readonly hostname: string;
  /** node name and gateway secret: the loop marker */
  readonly node: string;
  readonly secret: Buffer;
  /** the system sender address, e.g. securemail-noreply@example.com */
  readonly from: string;
  /** display name of the system sender; the branding's fromName or organisation wins when set */
  readonly fromName?: string;
  readonly internalDomains: readonly string[];
  /** wording, locales, branding, overrides; the built-in English-first defaults when omitted */
  readonly engine?: TemplateEngine;
  readonly now?: () => number;
}

/** Internal addresses get notices through the inbound hop, external ones through the outbound hop. */
export function directionFor(address: string, internalDomains: readonly string[]): Direction {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const internal = internalDomains.some((d) => {
    const l = d.toLowerCase();
    return l.startsWith('*.') ? domain.endsWith(l.slice(1)) : domain === l;
  });
  return internal ? 'inbound' : 'outbound';
}

export class TemplateNotifier implements Notifier {
  private readonly now: () => number;
  readonly engine: TemplateEngine;

  constructor(private readonly options: NotifierOptions) {
    this.now = options.now ?? Date.now;
    this.engine = options.engine ?? new TemplateEngine();
  }

  compose(req: NoticeRequest): OutgoingNotice {
    const now = this.now();
    const rendered = this.engine.render({ type: req.type, locale: req.locale, profile: req.profile, to: req.to, vars: req.vars });
    const fromName = rendered.branding.fromName ?? this.options.fromName ?? rendered.branding.organisation;
    const bytes = buildNotice({
      type: HEADER_TYPE[req.type],
      hostname: this.options.hostname,
      from: this.options.from,
      fromName,
      to: req.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      language: rendered.locale,
      ...(req.originalHeaders ? { originalHeaders: req.originalHeaders } : {}),
      now,
    });
    const direction = directionFor(req.to, this.options.internalDomains);
    const stamped = stampForDelivery(MessageDraft.parse(bytes), direction, this.options, now).toBuffer();
    return { key: req.key ?? `${req.type}:${req.to}`, recipient: req.to, direction, bytes: stamped };
  }
}

export function createNotifier(options: NotifierOptions): TemplateNotifier {
  return new TemplateNotifier(options);
}
