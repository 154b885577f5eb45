import type { MessageDraft } from '../mime/draft.js';
import type { Envelope, EnvelopeRecipient, SessionInfo } from './envelope.js';
import type { Trace } from './trace.js';

/** How strongly a branch must be protected, and who decided it. */
export interface ProtectionDecision {
  readonly level: 'mandatory' | 'opportunistic' | 'none';
  readonly profile: string;
  readonly decidedBy: { readonly rule: string; readonly level: 'user' | 'domain' | 'gateway' | 'default' };
}

/** Facts classify found about the whole message (same for every branch). */
export interface MessageFacts {
  /** a valid X-Sealpost-Processed marker: the direction it was stamped for */
  readonly processedMarker: { readonly direction: 'inbound' | 'outbound'; readonly node: string } | null;
  readonly encrypted: 'smime' | 'pgp' | null;
  readonly signed: 'smime' | 'pgp' | null;
  readonly autoSubmitted: boolean;
  /** one of our own notices (X-Sealpost-Notification with a valid marker) */
  readonly notification: string | null;
  readonly hops: number;
}

/** Per-branch annotations; copied when a branch forks, so a step may replace them freely. */
export interface BranchFacts {
  protection?: ProtectionDecision;
  /** the method select chose for this branch ('none' = deliver as is) */
  method?: string;
  /** names of policy rules that matched, for explain */
  rules?: string[];
  /** a policy `route` action: next hop for this branch instead of the direction's */
  route?: string;
  /** a policy asked for a signature */
  signRequested?: boolean;
  /**
   * TLS instead of encryption (profile `tlsInsteadOfEncryption`): the queue item may travel in
   * plaintext only over a verified TLS session. With `plaintext` set (mode preferred, a method
   * protected the draft too) the plaintext form goes over verified TLS and the protected draft
   * otherwise; without it the draft itself needs verified TLS, else it waits (never downgrades).
   */
  tlsInstead?: { readonly mode: 'required' | 'preferred'; plaintext?: Uint8Array };
  /**
   * Notices a step wants sent because of this branch (PDF password to the sender, quarantine
   * notice …). They are committed with the branch's terminal state in the same transaction, so a
   * replay after a crash or a deferral never sends one twice; a deferred branch's notices are
   * dropped (the re-run emits them again). Same `key` across branches = sent once.
   */
  notices?: OutgoingNotice[];
  /** every rule the policy stage evaluated for this branch (explain, stored trace) */
  evaluated?: RuleEvaluation[];
  /** a policy hold (block or quarantine), applied after the policy's header edits */
  hold?: PolicyHold;
  /**
   * The processor a released quarantine entry resumes at (set by the policy stage: the one after
   * it), so a released message keeps its policy decision and is still protected as decided.
   */
  resumeAt?: string;
  /** id of the quarantine entry this branch becomes (chosen early so notices can name it) */
  quarantineId?: string;
}

/** One rule as the policy stage saw it for a branch. */
export interface RuleEvaluation {
  readonly rule: string;
  readonly level: 'user' | 'domain' | 'gateway';
  readonly matched: boolean;
  /** the score list's sum, when the rule has one */
  readonly score?: number;
  /** why it did not count (out of scope, after stop) or what it found (dlp hits, masked) */
  readonly note?: string;
}

export type PolicyHold =
  | { readonly kind: 'block'; readonly reply: string; readonly rule: string }
  | { readonly kind: 'quarantine'; readonly reason: string; readonly rule: string };

/**
 * A recipient whose RCPT TO address was rewritten before the pipeline ran (recipient-address
 * suffix routing): `address` is where the message goes and what methods look keys up for;
 * `addressedAs` is the envelope address the spool tracks as pending.
 */
export interface RewrittenRecipient extends EnvelopeRecipient {
  readonly addressedAs: string;
  /** what rewrote it, e.g. "suffix .secure" */
  readonly rewrittenBy: string;
}

/** The address the spool knows a recipient by (its RCPT TO), whatever rewrite happened. */
export function envelopeAddress(r: EnvelopeRecipient): string {
  return (r as Partial<RewrittenRecipient>).addressedAs ?? r.address;
}

/** A notice emitted by a step (see BranchFacts.notices); `bytes` is the whole RFC 5322 message. */
export interface OutgoingNotice {
  /** dedupe key within one message, e.g. `pdf-password:alice@example.test` */
  readonly key: string;
  readonly recipient: string;
  readonly direction: 'inbound' | 'outbound';
  readonly bytes: Uint8Array;
}

/** Attaches a notice to a branch (steps call this rather than touching the array). */
export function emitNotice(branch: Branch, notice: OutgoingNotice): void {
  (branch.facts.notices ??= []).push(notice);
}

/** The spooled message as every step sees it: read-only except for the trace. */
export interface MessageContext {
  readonly id: string;
  readonly envelope: Envelope;
  readonly session: SessionInfo;
  /** the bytes committed to the spool */
  readonly original: MessageDraft;
  readonly receivedAt: number;
  /** how many pipeline runs this message already had (replays, deferrals) */
  readonly attempts: number;
  readonly trace: Trace;
  readonly now: () => number;
  facts: MessageFacts;
}

/** A set of recipients travelling together with the same draft. */
export interface Branch {
  readonly recipients: readonly EnvelopeRecipient[];
  readonly draft: MessageDraft;
  readonly facts: BranchFacts;
}
