/**
 * Decides which notice a sender gets and turns it into a ready-to-queue item: DSNs for bounces
 * and give-ups, an encryption-failure notice when a mandatory message could not be protected.
 * Never a notice to `<>`, never one about one of our own notices (no loops, no backscatter
 * storms); every notice is stamped with our loop marker like all mail we emit.
 */
import type { Direction } from '../mail/envelope.js';
import type { MessageContext } from '../mail/context.js';
import { newId } from '../mail/ids.js';
import type { TerminalOutcome } from '../mail/outcome.js';
import { MessageDraft } from '../mime/draft.js';
import type { BounceNotifier, SenderNotice } from '../mail/notices.js';
import { stampForDelivery } from '../protect/finalize-stage.js';
import type { DeliveryFailure, DsnFactory } from '../queue/delivery-worker.js';
import type { NewQueueBody, NewQueueItem, QueueItem } from '../queue/types.js';
import { formatDuration } from '../config/units.js';
import { headerText } from './mime.js';
import { buildDsn } from './dsn.js';
import { buildNotice } from './notice.js';
import { directionFor } from './notifier.js';
import { TemplateEngine } from './template/engine.js';

export interface SenderNoticesOptions {
  readonly hostname: string;
  readonly node: string;
  readonly secret: Buffer;
  readonly from: string;
  readonly internalDomains: readonly string[];
  readonly giveUpAfterMs: number;
  /** wording, locales and branding of the notices and of the DSN text; built-in defaults when omitted */
  readonly engine?: TemplateEngine;
  /** display name of the system sender on notices (DSNs come from "Mail Delivery System") */
  readonly fromName?: string;
  readonly now?: () => number;
}

/**
 * The sender's language, as their own client declared it on the message: Accept-Language
 * (RFC 3282, the languages the sender prefers), else Content-Language. Only the first tag counts.
 */
export function senderLocale(draft: MessageDraft): string | undefined {
  for (const name of ['Accept-Language', 'Content-Language']) {
    const tag = /^\s*([A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*)/.exec(draft.get(name) ?? '')?.[1];
    if (tag) return tag;
  }
  return undefined;
}

export class SenderNotices implements BounceNotifier, DsnFactory {
  private readonly now: () => number;

  private readonly engine: TemplateEngine;

  constructor(private readonly options: SenderNoticesOptions) {
    this.now = options.now ?? Date.now;
    this.engine = options.engine ?? new TemplateEngine();
  }

  /** Internal senders get notices through the inbound hop, external ones through the outbound hop. */
  directionOf(address: string): Direction {
    return directionFor(address, this.options.internalDomains);
  }

  forBounce(msg: MessageContext, recipients: readonly string[], bounce: Extract<TerminalOutcome, { kind: 'bounce' }>): SenderNotice | null {
    const sender = msg.envelope.mailFrom;
    if (sender === '' || msg.facts.notification) return null;
    const now = this.now();
    const headers = msg.original.headerBytes();
    let bytes: Buffer;
    let kind: SenderNotice['kind'];
    if (bounce.notice === 'encryption-failed') {
      const subject = headerText(msg.original.get('Subject'));
      const elapsed = formatDuration(Math.max(1000, Math.round((now - msg.receivedAt) / 1000) * 1000));
      const r = this.engine.render({ type: 'encryption-failed', locale: senderLocale(msg.original), to: sender, vars: { recipients, subject, reason: bounce.reason, waited: elapsed } });
      bytes = buildNotice({
        type: 'encryption-failed',
        hostname: this.options.hostname,
        from: this.options.from,
        fromName: r.branding.fromName ?? this.options.fromName ?? r.branding.organisation,
        to: sender,
        subject: r.subject,
        text: r.text,
        html: r.html,
        language: r.locale,
        originalHeaders: headers,
        now,
      });
      kind = 'notice';
    } else {
      bytes = buildDsn({
        hostname: this.options.hostname,
        postmaster: this.options.from,
        to: sender,
        arrivalDate: msg.receivedAt,
        recipients: recipients.map((address) => ({ address, action: 'failed', status: bounce.status, diagnostic: bounce.reason, lastAttemptAt: now })),
        originalHeaders: headers,
        now,
        engine: this.engine,
        ...(senderLocale(msg.original) ? { locale: senderLocale(msg.original)! } : {}),
      });
      kind = 'dsn';
    }
    const direction = this.directionOf(sender);
    return { bytes: this.stamp(bytes, direction, now), recipient: sender, direction, kind };
  }

  forDeliveryFailure(first: QueueItem, failures: readonly DeliveryFailure[], body: Buffer): { body: NewQueueBody; item: NewQueueItem } | null {
    if (first.kind !== 'message' || first.sender === '') return null;
    const now = this.now();
    const original = MessageDraft.parse(body);
    const locale = senderLocale(original);
    const bytes = buildDsn({
      hostname: this.options.hostname,
      postmaster: this.options.from,
      to: first.sender,
      engine: this.engine,
      ...(locale ? { locale } : {}),
      arrivalDate: first.createdAt,
      recipients: failures.map((f) => ({
        address: f.recipient,
        action: 'failed',
        status: f.enhanced && /^5\./.test(f.enhanced) ? f.enhanced : '5.0.0',
        diagnostic: f.response,
        lastAttemptAt: now,
        ...(f.remote ? { remoteMta: f.remote.replace(/\[.*$/, '') } : {}),
      })),
      originalHeaders: original.headerBytes(),
      now,
    });
    const direction = this.directionOf(first.sender);
    const bodyId = newId(now);
    return {
      body: { id: bodyId, messageId: first.messageId, bytes: this.stamp(bytes, direction, now) },
      item: { id: newId(now), messageId: first.messageId, bodyId, kind: 'dsn', sender: '', recipient: first.sender, direction, route: direction, createdAt: now, nextAttemptAt: now, giveUpAt: now + this.options.giveUpAfterMs, trace: [] },
    };
  }

  private stamp(bytes: Buffer, direction: Direction, now: number): Buffer {
    return stampForDelivery(MessageDraft.parse(bytes), direction, this.options, now).toBuffer();
  }
}
