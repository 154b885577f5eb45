export type { Direction, Envelope, EnvelopeRecipient, SessionInfo, TlsInfo } from './envelope.js';
export { Trace, type TraceEntry } from './trace.js';
export { newId } from './ids.js';
export { outcome, type Outcome, type TerminalOutcome, type RouteName, type BounceNotice } from './outcome.js';
export type { Branch, BranchFacts, MessageContext, MessageFacts, OutgoingNotice, ProtectionDecision } from './context.js';
export { emitNotice } from './context.js';
export { allRecipients, type Matcher, type OnError, type Processor, type Step } from './step.js';
