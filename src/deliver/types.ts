import type { NextHop } from './next-hop.js';
import type { TlsLevel } from './tls-policy.js';

/** One SMTP transaction's worth of work: one body, one sender, the recipients sharing a next hop. */
export interface DeliveryJob {
  readonly hop: NextHop;
  /** envelope sender; '' is the null sender `<>` */
  readonly sender: string;
  readonly recipients: readonly string[];
  /** a complete RFC 5322 message with CRLF line ends; sent byte for byte (dot-stuffing aside) */
  readonly body: Buffer;
  /** our message id (for file names, logs and error context) */
  readonly messageId: string;
  /** the queue items this job serves (context for logs; the first one names capture files) */
  readonly queueIds: readonly string[];
  /**
   * TLS instead of encryption: `body` may only go over a verified TLS session; otherwise
   * `fallback` (the encrypted form) goes, or, when it is null, every recipient is deferred.
   */
  readonly requireVerifiedTls?: { readonly fallback: Buffer | null };
}

export type RecipientStatus = 'delivered' | 'deferred' | 'bounced';

export interface RecipientResult {
  readonly recipient: string;
  readonly status: RecipientStatus;
  /**
   * The remote reply on one line ("250 2.0.0 Ok", "450 4.2.0 mailbox busy") or, when no reply
   * was had, what happened ("connect ECONNREFUSED 127.0.0.1:2526").
   */
  readonly response: string;
  /** the remote reply code; set only when `response` is the next hop's SMTP reply */
  readonly code?: number;
  /** the enhanced status code (RFC 3463) of the reply, or the one we assigned to a local failure */
  readonly enhanced?: string;
}

export interface TlsSummary {
  readonly protocol: string;
  readonly cipher: string;
  /**
   * the certificate chain verified against the trust store and matched the name the level checks
   * (MX or relay host; for `secure` the next-hop domain), or, for `fingerprint`, matched a pin
   */
  readonly verified: boolean;
  /** the TLS policy level the session was held to */
  readonly policy: TlsLevel;
  /** SHA-256 of the peer's certificate, "AA:BB:…" (what a `fingerprint` policy pins) */
  readonly fingerprint?: string;
}

export interface DeliveryOutcome {
  /** one result per job recipient, in job order */
  readonly results: readonly RecipientResult[];
  /** describeHop(job.hop): never contains a password */
  readonly hop: string;
  /** the peer, e.g. "relay.example.net[192.0.2.1]:25", when a connection was made */
  readonly remote?: string;
  readonly tls: TlsSummary | null;
  /** for jobs with requireVerifiedTls: which form was sent (or, on failure, chosen) */
  readonly form?: 'plaintext-over-verified-tls' | 'encrypted-fallback';
}

/** The same result for every recipient of the job (connection failures, capture, mx, closed). */
export function sameForAll(job: DeliveryJob, status: RecipientStatus, response: string, extra: { code?: number; enhanced?: string } = {}): RecipientResult[] {
  return job.recipients.map((recipient) => ({ recipient, status, response, ...extra }));
}
