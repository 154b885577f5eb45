/**
 * Delivery to a configured relay (smtp://, smtps://, submission://): one job = one transaction.
 *
 * nodemailer's SMTPConnection speaks the protocol (EHLO/HELO, STARTTLS, AUTH, PIPELINING,
 * dot-stuffing, SIZE/8BITMIME/SMTPUTF8 parameters); transaction.ts decides what each reply means
 * for each recipient, and session-client.ts pools sessions per destination.
 *
 * TLS: the policy table is keyed by next-hop destination (as in Postfix), which for a relay is
 * its host name. Without an entry, smtp:// is `may` and smtps:// / submission:// are `verify`
 * (`encrypt` with `tls.verify: false`); those two schemes never go below `encrypt`.
 * SECURITY: a submission:// hop never sends AUTH or mail without TLS; passwords appear nowhere
 * but in the AUTH exchange.
 * STANDARDS: RFC 5321, RFC 3207 (STARTTLS), RFC 4954 (AUTH), RFC 8314 (implicit TLS),
 * RFC 2920 (PIPELINING), RFC 7435 (opportunistic security).
 */
import type { ConnectionSettings, SessionTarget } from './connection.js';
import { describeHop, isSmtpHop, type SmtpHop } from './next-hop.js';
import { SessionClient, type DeliverLogger, type SessionLimits } from './session-client.js';
import { TlsPolicyTable, type TlsLevel, type TlsPolicyEntry } from './tls-policy.js';
import { sameForAll, type DeliveryJob, type DeliveryOutcome } from './types.js';

export type { DeliverLogger } from './session-client.js';

export interface SmtpDelivererOptions extends SessionLimits {
  /** our EHLO name (the configured `hostname`) */
  hostname?: string;
  timeouts?: {
    /** TCP (and implicit TLS) connect, default 30 s */
    connectMs?: number;
    /** 220 greeting and each STARTTLS handshake, default 30 s */
    greetingMs?: number;
    /**
     * inactivity limit for every step after the greeting — the reply to the final dot included
     * (RFC 5321 §4.5.3.2.6 suggests 10 min, the default)
     */
    dataMs?: number;
  };
  tls?: {
    /** trust anchors for verification (PEM); they replace the system store */
    ca?: string | Buffer | Array<string | Buffer>;
    /** require a verified certificate on smtps:// and submission:// without a policy entry (default true) */
    verify?: boolean;
    /** per-destination TLS policies (`delivery.tls.policies`) */
    policies?: readonly TlsPolicyEntry[];
  };
  logger?: DeliverLogger;
}

/** The connection settings both deliverers derive from their options. */
export function connectionSettings(options: SmtpDelivererOptions): ConnectionSettings {
  return {
    connectTimeoutMs: options.timeouts?.connectMs ?? 30_000,
    greetingTimeoutMs: options.timeouts?.greetingMs ?? 30_000,
    socketTimeoutMs: options.timeouts?.dataMs ?? 600_000,
    ...(options.hostname ? { name: options.hostname } : {}),
    ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
  };
}

export class SmtpDeliverer {
  private readonly client: SessionClient;
  private readonly policies: TlsPolicyTable;

  constructor(private readonly options: SmtpDelivererOptions = {}) {
    this.client = new SessionClient(connectionSettings(options), options, options.logger);
    this.policies = new TlsPolicyTable(options.tls?.policies ?? []);
  }

  /** Delivers one job. Never throws: every failure becomes per-recipient results. */
  async deliver(job: DeliveryJob): Promise<DeliveryOutcome> {
    const hop = describeHop(job.hop);
    if (!isSmtpHop(job.hop)) return { hop, tls: null, results: sameForAll(job, 'deferred', `${hop} is not an SMTP next hop`) };
    if (job.recipients.length === 0) return { hop, tls: null, results: [] };
    const attempt = await this.client.run(this.target(job.hop), job, { messageId: job.messageId, queueIds: job.queueIds, hop });
    return { hop, tls: attempt.tls, results: attempt.results, ...(attempt.remote ? { remote: attempt.remote } : {}), ...(attempt.form ? { form: attempt.form } : {}) };
  }

  /** The session a relay hop asks for: its host, its scheme's TLS, the policy for its host name. */
  target(hop: SmtpHop): SessionTarget {
    const tlsRequired = hop.kind !== 'smtp';
    const fallback: TlsLevel = !tlsRequired ? 'may' : this.options.tls?.verify === false ? 'encrypt' : 'verify';
    let tls = this.policies.apply(hop.host, hop.host, fallback);
    // smtps:// and submission:// mean TLS: a policy may change how it is checked, not drop it.
    if (tlsRequired && (tls.level === 'none' || tls.level === 'may')) tls = { ...tls, level: 'encrypt' };
    const auth = 'auth' in hop ? hop.auth : undefined;
    return { host: hop.host, port: hop.port, name: hop.host, implicitTls: hop.kind === 'smtps', tls, ...(auth ? { auth } : {}) };
  }

  /** Number of pooled sessions for a hop (tests, metrics). */
  stats(hop: SmtpHop): { active: number; idle: number; waiting: number } {
    return this.client.stats(this.target(hop));
  }

  /** Ends everything: waiting jobs and sessions in use are deferred, idle sessions QUIT. */
  close(): Promise<void> {
    return this.client.close();
  }
}
