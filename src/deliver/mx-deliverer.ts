/**
 * Direct delivery (`mx` hops): find the recipient domain's mail servers and hand the message to
 * the first that takes it.
 *
 * Per recipient domain (the queue sends one domain per job; other jobs are split here):
 * - MX lookup. NXDOMAIN → bounce 5.1.2; SERVFAIL, timeout → defer 4.4.3; no MX records →
 *   the domain itself is the one host (implicit MX), and without A/AAAA either → bounce 5.4.4;
 *   a null MX ("." alone, RFC 7505) → bounce 556 5.1.10 without any connection.
 * - Hosts by preference, equal preferences in random order; each host's addresses in the
 *   configured family order; at most `maxAddresses` connection attempts per job.
 * - A session that cannot be set up (refused, timeout, greeting or EHLO refusal, STARTTLS or
 *   certificate not acceptable under the TLS policy) → the next address. In a transaction, 2yz
 *   and 5yz are final for the recipients they answer; recipients answered 4yz (or left without a
 *   reply) go to the next address. Whatever is left after the last one is deferred with the last
 *   reply; a 5yz greeting is not final for a domain with other servers, nor at the last one.
 * TLS: the policy for the recipient domain (Postfix keys policies by next-hop destination), `may`
 * without one. `verify` checks the MX host name, `secure` the recipient domain (see tls-policy.ts).
 * SECURITY: DNS answers are untrusted; a mandatory TLS level never falls back to plaintext, it
 * moves on to the next MX and finally defers.
 * STANDARDS: RFC 5321 §5.1 (MX, implicit MX), RFC 7505 (null MX), RFC 5321 §4.1.3 (address
 * literals), RFC 3463 (5.1.2, 5.1.10, 5.4.4, 4.4.3).
 */
import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';
import type { MxResolver, MxRecord } from './mx-resolver.js';
import { SessionClient, type SessionAttempt } from './session-client.js';
import { connectionSettings, type SmtpDelivererOptions } from './smtp-deliverer.js';
import { TlsPolicyTable } from './tls-policy.js';
import { deferred, type Verdict } from './transaction.js';
import type { DeliveryJob, DeliveryOutcome, RecipientResult } from './types.js';

export interface MxDelivererOptions extends SmtpDelivererOptions {
  readonly resolver: MxResolver;
  /** the port of every MX host (default 25; tests use their sink's) */
  readonly port?: number;
  /** connection attempts per job over all hosts and addresses (default 10) */
  readonly maxAddresses?: number;
  /** for the order of equal-preference hosts (default Math.random) */
  readonly random?: () => number;
}

function verdictOf(r: RecipientResult): Verdict {
  const { recipient: _recipient, ...verdict } = r;
  return verdict;
}

const bounced = (response: string, enhanced: string): Verdict => ({ status: 'bounced', response, enhanced });

type Plan = { readonly hosts: readonly string[]; readonly implicit: boolean } | { readonly verdict: Verdict };

interface DomainOutcome {
  readonly results: RecipientResult[];
  /** the session that decided last, for the outcome's `remote` and `tls` */
  readonly attempt?: SessionAttempt;
}

/** Orders MX records by preference; equal preferences are shuffled (RFC 5321 §5.1). */
export function orderMx(records: readonly MxRecord[], random: () => number = Math.random): string[] {
  const byPref = new Map<number, string[]>();
  for (const r of records) byPref.set(r.priority, [...(byPref.get(r.priority) ?? []), r.exchange]);
  return [...byPref.keys()]
    .sort((a, b) => a - b)
    .flatMap((pref) => {
      const group = [...new Set(byPref.get(pref)!)];
      for (let i = group.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [group[i], group[j]] = [group[j]!, group[i]!];
      }
      return group;
    });
}

export class MxDeliverer {
  private readonly client: SessionClient;
  private readonly policies: TlsPolicyTable;
  private readonly port: number;
  private readonly maxAddresses: number;

  constructor(private readonly options: MxDelivererOptions) {
    this.client = new SessionClient(connectionSettings(options), options, options.logger);
    this.policies = new TlsPolicyTable(options.tls?.policies ?? []);
    this.port = options.port ?? 25;
    this.maxAddresses = Math.max(1, options.maxAddresses ?? 10);
  }

  /** Delivers one job. Never throws: every failure becomes per-recipient results. */
  async deliver(job: DeliveryJob): Promise<DeliveryOutcome> {
    const byDomain = new Map<string, string[]>();
    for (const r of job.recipients) {
      const domain = r.slice(r.lastIndexOf('@') + 1).toLowerCase();
      byDomain.set(domain, [...(byDomain.get(domain) ?? []), r]);
    }
    const results = new Map<string, RecipientResult>();
    let decisive: SessionAttempt | undefined;
    for (const [domain, recipients] of byDomain) {
      const out = await this.deliverDomain(job, domain, recipients);
      for (const r of out.results) results.set(r.recipient, r);
      if (out.attempt && (!decisive || out.attempt.stage === 'transaction')) decisive = out.attempt;
    }
    return {
      hop: 'mx',
      tls: decisive?.tls ?? null,
      results: job.recipients.map((recipient) => results.get(recipient) ?? { recipient, ...deferred('no result') }),
      ...(decisive?.remote ? { remote: decisive.remote } : {}),
      ...(decisive?.form ? { form: decisive.form } : {}),
    };
  }

  private async plan(domain: string): Promise<Plan> {
    const literal = /^\[(?:ipv6:)?([^\]]+)\]$/i.exec(domain);
    if (literal) return isIP(literal[1]!) ? { hosts: [literal[1]!], implicit: true } : { verdict: bounced(`invalid address literal ${domain}`, '5.1.2') };
    const ascii = domainToASCII(domain);
    if (!ascii || !ascii.includes('.')) return { verdict: bounced(`invalid recipient domain ${JSON.stringify(domain)}`, '5.1.2') };
    const mx = await this.options.resolver.mx(ascii);
    if (!mx.ok) {
      if (mx.kind === 'nxdomain') return { verdict: bounced(`recipient domain ${ascii} does not exist (DNS: NXDOMAIN)`, '5.1.2') };
      if (mx.kind === 'tempfail') return { verdict: deferred(`DNS lookup of MX ${ascii} failed: ${mx.reason}`, '4.4.3') };
      return { hosts: [ascii], implicit: true }; // no MX records: the domain is its own mail host
    }
    const hosts = mx.value.filter((r) => r.exchange !== '');
    // RFC 7505: "." alone means the domain accepts no mail; among other records it is ignored.
    if (hosts.length === 0) return { verdict: bounced(`556 5.1.10 recipient domain ${ascii} accepts no mail (null MX)`, '5.1.10') };
    return { hosts: orderMx(hosts, this.options.random), implicit: false };
  }

  private async deliverDomain(job: DeliveryJob, domain: string, recipients: readonly string[]): Promise<DomainOutcome> {
    const all = (v: Verdict, remaining: readonly string[]): RecipientResult[] => remaining.map((recipient) => ({ recipient, ...v }));
    const plan = await this.plan(domain);
    if ('verdict' in plan) return { results: all(plan.verdict, recipients) };
    const nexthop = domainToASCII(domain) || domain;
    const done: RecipientResult[] = [];
    let remaining = [...recipients];
    let last: Verdict | undefined;
    let decisive: SessionAttempt | undefined;
    let attempts = 0;
    const dnsTrouble: string[] = [];
    let tempfail = false;
    hosts: for (const host of plan.hosts) {
      const addresses = await this.options.resolver.addresses(host);
      if (!addresses.ok) {
        tempfail ||= addresses.kind === 'tempfail';
        dnsTrouble.push(`${host}: ${addresses.reason}`);
        continue;
      }
      for (const address of addresses.value) {
        if (attempts++ >= this.maxAddresses) break hosts;
        const target = { host: address, port: this.port, name: host, implicitTls: false, tls: this.policies.apply(nexthop, host, 'may') };
        const attempt = await this.client.run(target, { sender: job.sender, recipients: remaining, body: job.body, ...(job.requireVerifiedTls ? { requireVerifiedTls: job.requireVerifiedTls } : {}) }, { messageId: job.messageId, queueIds: job.queueIds, hop: 'mx' });
        if (attempt.stage === 'closed') return { results: [...done, ...attempt.results] };
        if (!decisive || attempt.stage === 'transaction' || decisive.stage !== 'transaction') decisive = attempt;
        if (attempt.stage === 'setup') {
          last = attempt.results[0] && verdictOf(attempt.results[0]);
          continue;
        }
        const next: string[] = [];
        for (const r of attempt.results) {
          if (r.status === 'deferred') {
            next.push(r.recipient);
            last = verdictOf(r);
          } else done.push(r);
        }
        remaining = next;
        if (remaining.length === 0) break hosts;
      }
    }
    if (remaining.length === 0) return { results: done, ...(decisive ? { attempt: decisive } : {}) };
    let verdict: Verdict;
    // Not final: a 5yz greeting at the last server defers too (other servers may be back later).
    if (last) verdict = { ...last, status: 'deferred' };
    else if (tempfail) verdict = deferred(`DNS lookup of A/AAAA failed (${dnsTrouble.join('; ')})`, '4.4.3');
    else if (plan.implicit) verdict = bounced(`recipient domain ${nexthop} has no MX and no A/AAAA records`, '5.4.4');
    else verdict = deferred(`no address for any MX host of ${nexthop} (${dnsTrouble.join('; ')})`, '4.4.4');
    return { results: [...done, ...all(verdict, remaining)], ...(decisive ? { attempt: decisive } : {}) };
  }

  /** Ends everything: waiting jobs and sessions in use are deferred, idle sessions QUIT. */
  close(): Promise<void> {
    return this.client.close();
  }
}
