import type { MessageDraft } from '../mime/draft.js';

/** Where a queued branch goes next: the configured next hop for its direction, or an explicit route. */
export type RouteName = 'outbound' | 'inbound' | `route:${string}`;

/** Which notice a bounce produces for the sender. */
export type BounceNotice = 'dsn' | 'encryption-failed' | 'blocked';

/**
 * The closed set of things a pipeline step can decide for the recipients it matched.
 * `continue` and `goto` keep the branch running; the others are terminal.
 */
export type Outcome =
  | { readonly kind: 'continue'; readonly draft?: MessageDraft }
  | { readonly kind: 'goto'; readonly processor: string; readonly draft?: MessageDraft }
  | { readonly kind: 'queue'; readonly route: RouteName; readonly draft?: MessageDraft }
  | { readonly kind: 'quarantine'; readonly reason: string }
  | { readonly kind: 'bounce'; readonly reason: string; readonly status: string; readonly notice: BounceNotice }
  | { readonly kind: 'defer'; readonly reason: string; readonly retryAt?: number }
  | { readonly kind: 'drop'; readonly reason: string };

export type TerminalOutcome = Exclude<Outcome, { kind: 'continue' } | { kind: 'goto' }>;

export const outcome = {
  continue: (draft?: MessageDraft): Outcome => (draft ? { kind: 'continue', draft } : { kind: 'continue' }),
  goto: (processor: string, draft?: MessageDraft): Outcome => (draft ? { kind: 'goto', processor, draft } : { kind: 'goto', processor }),
  queue: (route: RouteName, draft?: MessageDraft): Outcome => (draft ? { kind: 'queue', route, draft } : { kind: 'queue', route }),
  quarantine: (reason: string): Outcome => ({ kind: 'quarantine', reason }),
  bounce: (reason: string, status: string, notice: BounceNotice = 'dsn'): Outcome => ({ kind: 'bounce', reason, status, notice }),
  defer: (reason: string, retryAt?: number): Outcome => (retryAt === undefined ? { kind: 'defer', reason } : { kind: 'defer', reason, retryAt }),
  drop: (reason: string): Outcome => ({ kind: 'drop', reason }),
} as const;
