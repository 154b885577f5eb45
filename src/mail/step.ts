import type { EnvelopeRecipient } from './envelope.js';
import type { Branch, MessageContext } from './context.js';
import type { Outcome } from './outcome.js';

/**
 * What happens when a step throws or times out. `defer-then-quarantine` (the default) retries the
 * message later and quarantines it after `maxAttempts`; `skip` is refused for security-critical steps.
 */
export type OnError = 'defer-then-quarantine' | 'quarantine' | 'bounce' | 'skip';

/** A matcher returns the subset of the branch's recipients the step applies to. */
export type Matcher = (msg: MessageContext, branch: Branch) => readonly EnvelopeRecipient[] | Promise<readonly EnvelopeRecipient[]>;

export interface Step {
  readonly name: string;
  /** omitted = every recipient of the branch */
  readonly match?: Matcher;
  readonly action: (msg: MessageContext, branch: Branch) => Outcome | Promise<Outcome>;
  readonly onError?: OnError;
  /** steps that protect or decide protection may never be skipped on error */
  readonly securityCritical?: boolean;
  readonly timeoutMs?: number;
}

export interface Processor {
  readonly name: string;
  readonly steps: readonly Step[];
}

export const allRecipients: Matcher = (_msg, branch) => branch.recipients;
