/**
 * mail/ — the message model every stage shares: envelope, session facts, trace, outcomes.
 * SECURITY: everything here describes untrusted input; nothing in this folder parses bytes.
 */

export type Direction = 'inbound' | 'outbound';

export interface EnvelopeRecipient {
  /** the address as given in RCPT TO, without angle brackets */
  readonly address: string;
  readonly direction: Direction;
}

export interface Envelope {
  /** MAIL FROM without brackets; '' is the null sender `<>` */
  readonly mailFrom: string;
  readonly recipients: readonly EnvelopeRecipient[];
}

export interface TlsInfo {
  readonly protocol: string;
  readonly cipher: string;
}

/** What the receiving session knew; stored with the message so later stages can decide on it. */
export interface SessionInfo {
  readonly listener: string;
  readonly remoteAddress: string;
  readonly helo: string;
  readonly tls: TlsInfo | null;
  readonly authUser: string | null;
  /** the session was allowed to relay (relayFrom network or authenticated) */
  readonly mayRelay: boolean;
  readonly receivedAt: number;
}
