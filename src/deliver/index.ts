/**
 * deliver/ — hands a queued message to its next hop and reports, per recipient, what happened.
 *
 * The queue groups items sharing a body, sender and next hop into one DeliveryJob (for `mx`
 * hops, one recipient domain per job); the Deliverer picks the transport by hop kind: `capture`
 * writes files, `smtp`/`smtps`/`submission` speak SMTP to a relay (nodemailer's client, pooled per
 * destination), `mx` looks up the recipient domain's MX hosts and delivers directly
 * (mx-deliverer.ts). Every SMTP session is held to the TLS policy of its next-hop destination
 * (tls-policy.ts). deliver() never throws: 2xx → delivered, 4xx and transport failures →
 * deferred, 5xx → bounced, and the queue decides about retries and DSNs.
 * SECURITY: bodies are sent unchanged (never re-encoded), passwords of submission:// hops never
 * leave describeHop() or the AUTH exchange; mandatory TLS levels never fall back to plaintext;
 * TLS facts (protocol, cipher, verified, policy level) are recorded in every outcome.
 * STANDARDS: RFC 5321 (SMTP, §5.1 MX), RFC 7505 (null MX), RFC 3207 (STARTTLS), RFC 4954
 * (AUTH), RFC 8314 (implicit TLS), RFC 6152 / RFC 6531 (8BITMIME / SMTPUTF8), RFC 3463.
 */
import { CaptureHop } from './capture-hop.js';
import { MxDeliverer } from './mx-deliverer.js';
import { DnsMxResolver, type DnsResolverOptions, type MxResolver } from './mx-resolver.js';
import { SmtpDeliverer, type SmtpDelivererOptions } from './smtp-deliverer.js';
import type { DeliveryJob, DeliveryOutcome } from './types.js';

export { parseNextHop, describeHop, isSmtpHop, type NextHop, type SmtpHop, type HopAuth } from './next-hop.js';
export { SmtpDeliverer, type SmtpDelivererOptions, type DeliverLogger } from './smtp-deliverer.js';
export { CaptureHop, type CaptureEnvelope } from './capture-hop.js';
export { parseReply, classifyCode, type ParsedReply } from './reply.js';
export { MxDeliverer, orderMx, type MxDelivererOptions } from './mx-deliverer.js';
export { DnsMxResolver, type MxResolver, type MxRecord, type DnsResult, type DnsResolverOptions, type AddressFamily } from './mx-resolver.js';
export { TlsPolicyTable, normaliseFingerprint, loadTrustStore, type TlsLevel, type TlsPolicyEntry } from './tls-policy.js';
export type { DeliveryJob, DeliveryOutcome, RecipientResult, RecipientStatus, TlsSummary } from './types.js';

export interface DelivererOptions {
  /** where the `capture` hop writes messages (e.g. ./data/capture) */
  readonly captureDir: string;
  /** SMTP client settings for every SMTP hop (relay and mx), TLS policies included */
  readonly smtp?: SmtpDelivererOptions;
  /** direct delivery (`mx` hops) */
  readonly mx?: {
    /** a resolver of one's own (tests); otherwise one is made from `dns` */
    readonly resolver?: MxResolver;
    /** DNS servers and timeouts; omitted = the system's servers */
    readonly dns?: DnsResolverOptions;
    /** the port of every MX host (default 25) */
    readonly port?: number;
    /** connection attempts per job over all MX hosts and addresses (default 10) */
    readonly maxAddresses?: number;
  };
  /** clock for capture file names */
  readonly now?: () => number;
}

/** One entry point for the delivery workers, whatever the hop. */
export class Deliverer {
  private readonly capture: CaptureHop;
  private readonly smtp: SmtpDeliverer;
  private readonly mx: MxDeliverer;

  constructor(options: DelivererOptions) {
    this.capture = new CaptureHop(options.captureDir, options.now);
    this.smtp = new SmtpDeliverer(options.smtp);
    const { resolver, dns, ...mx } = options.mx ?? {};
    this.mx = new MxDeliverer({ ...options.smtp, ...mx, resolver: resolver ?? new DnsMxResolver(dns) });
  }

  deliver(job: DeliveryJob): Promise<DeliveryOutcome> {
    switch (job.hop.kind) {
      case 'capture':
        return this.capture.deliver(job);
      case 'mx':
        return this.mx.deliver(job);
      default:
        return this.smtp.deliver(job);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.smtp.close(), this.mx.close()]);
  }
}
