/** What the pipeline asks of the notice builder when it bounces recipients (implemented in notify/). */
import type { Direction } from './envelope.js';
import type { MessageContext } from './context.js';
import type { TerminalOutcome } from './outcome.js';

/** A notice for the sender of bounced recipients, ready to queue. */
export interface SenderNotice {
  readonly bytes: Buffer;
  readonly recipient: string;
  readonly direction: Direction;
  readonly kind: 'dsn' | 'notice';
}

export interface BounceNotifier {
  /** null when no notice is due: null sender, or the message is itself one of our notices */
  forBounce(msg: MessageContext, recipients: readonly string[], bounce: Extract<TerminalOutcome, { kind: 'bounce' }>): SenderNotice | null;
}

