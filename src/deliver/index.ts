/**
 * deliver/ — hands a queued message to its next hop and reports, per recipient, what happened.
 *
 * The queue groups items sharing a body, sender and next hop into one DeliveryJob; the Deliverer
 * picks the transport by hop kind: `capture` writes files, `smtp`/`smtps`/`submission` speak SMTP
 * (nodemailer's client, pooled per destination), `mx` is parsed but deferred until direct
 * delivery (MX lookup, DANE, MTA-STS) lands. deliver() never throws: 2xx → delivered, 4xx and
 * transport failures → deferred, 5xx → bounced, and the queue decides about retries and DSNs.
 * SECURITY: bodies are sent unchanged (never re-encoded), passwords of submission:// hops never
 * leave describeHop() or the AUTH exchange; TLS is opportunistic on smtp:// (verification is
 * recorded, not required) and required on submission:// and smtps://.
 * STANDARDS: RFC 5321 (SMTP), RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 8314 (implicit TLS),
 * RFC 6152 / RFC 6531 (8BITMIME / SMTPUTF8), RFC 3463 (enhanced status codes).
 */
import { CaptureHop } from './capture-hop.js';
import { describeHop } from './next-hop.js';
import { SmtpDeliverer, type SmtpDelivererOptions } from './smtp-deliverer.js';
import { sameForAll, type DeliveryJob, type DeliveryOutcome } from './types.js';

export { parseNextHop, describeHop, isSmtpHop, type NextHop, type SmtpHop, type HopAuth } from './next-hop.js';
export { SmtpDeliverer, type SmtpDelivererOptions, type DeliverLogger } from './smtp-deliverer.js';
export { CaptureHop, type CaptureEnvelope } from './capture-hop.js';
export { parseReply, classifyCode, type ParsedReply } from './reply.js';
export type { DeliveryJob, DeliveryOutcome, RecipientResult, RecipientStatus, TlsSummary } from './types.js';

export interface DelivererOptions {
  /** where the `capture` hop writes messages (e.g. ./data/capture) */
  readonly captureDir: string;
  readonly smtp?: SmtpDelivererOptions;
  /** clock for capture file names */
  readonly now?: () => number;
}

/** One entry point for the delivery workers, whatever the hop. */
export class Deliverer {
  private readonly capture: CaptureHop;
  private readonly smtp: SmtpDeliverer;

  constructor(options: DelivererOptions) {
    this.capture = new CaptureHop(options.captureDir, options.now);
    this.smtp = new SmtpDeliverer(options.smtp);
  }

  deliver(job: DeliveryJob): Promise<DeliveryOutcome> {
    switch (job.hop.kind) {
      case 'capture':
        return this.capture.deliver(job);
      case 'mx':
        // Direct delivery is a later issue: defer (retried, never bounced, never a crash).
        return Promise.resolve({ hop: describeHop(job.hop), tls: null, results: sameForAll(job, 'deferred', 'mx delivery not implemented') });
      default:
        return this.smtp.deliver(job);
    }
  }

  close(): Promise<void> {
    return this.smtp.close();
  }
}
