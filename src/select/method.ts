/**
 * The interface every protection method (smime, pgp, pdf, portal, tls) implements, shared by
 * select/ (can it serve this recipient?) and protect/ (apply it to these recipients).
 */
import type { Branch, MessageContext } from '../mail/context.js';
import type { EnvelopeRecipient } from '../mail/envelope.js';
import type { Outcome } from '../mail/outcome.js';

export type MethodName = 'smime' | 'pgp' | 'pdf' | 'portal' | 'tls';

export interface ProtectionMethod {
  readonly name: MethodName;
  /** true when this recipient can open a message protected this way (key found, password mode usable …) */
  canServe(recipient: EnvelopeRecipient, msg: MessageContext, branch: Branch): Promise<boolean>;
  /** Protects the branch's draft for its recipients; returns continue(draft) or a terminal outcome. */
  protect(msg: MessageContext, branch: Branch): Promise<Outcome>;
}

export type MethodRegistry = ReadonlyMap<MethodName, ProtectionMethod>;
