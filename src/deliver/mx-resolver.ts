/**
 * DNS for direct delivery: MX records of a domain and the addresses of a host, with the answer's
 * kind kept apart (NXDOMAIN, no data, temporary failure) because each one means something else
 * for the message: bounce, implicit MX, or retry later.
 *
 * The resolver is node:dns/promises `Resolver` (c-ares) pointed at `delivery.dns.servers`, or the
 * system's servers when none are given; tests point it at a local DNS server. Names are queried
 * fully qualified (trailing dot) so no search domain is ever appended to a recipient domain.
 * SECURITY: the answers are untrusted input (no DNSSEC here): they choose where mail goes, which
 * is why `secure` TLS checks the next-hop domain and not the MX host name.
 * STANDARDS: RFC 5321 §5.1 (MX, implicit MX), RFC 7505 (null MX), RFC 1035, RFC 2308 (NODATA).
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

export type DnsFailureKind = 'nxdomain' | 'nodata' | 'tempfail';
export type DnsResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly kind: DnsFailureKind; readonly reason: string };

export interface MxRecord {
  /** the exchange host name, lower case, no trailing dot; '' for a null MX "." */
  readonly exchange: string;
  readonly priority: number;
}

/** What the MX deliverer needs from DNS (tests may hand in their own). */
export interface MxResolver {
  mx(domain: string): Promise<DnsResult<MxRecord[]>>;
  /** A and AAAA of a host, in the configured family order */
  addresses(host: string): Promise<DnsResult<string[]>>;
}

export type AddressFamily = 'ipv4' | 'ipv6';

export interface DnsResolverOptions {
  /** "192.0.2.53", "127.0.0.1:5353" or "[2001:db8::53]:53"; empty or omitted = the system's */
  readonly servers?: readonly string[];
  /** per try (default 5 s) */
  readonly timeoutMs?: number;
  /** tries per server (default 2) */
  readonly tries?: number;
  /** families to use, in the order addresses are tried (default ipv4, then ipv6) */
  readonly families?: readonly AddressFamily[];
}

const TEMP_REASONS: Record<string, string> = {
  ESERVFAIL: 'SERVFAIL',
  ETIMEOUT: 'timeout',
  EREFUSED: 'REFUSED',
  ECONNREFUSED: 'DNS server refused the connection',
  ENOTINITIALIZED: 'resolver not initialised',
  ECANCELLED: 'query cancelled',
};

function classify(err: unknown): { ok: false; kind: DnsFailureKind; reason: string } {
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code === 'ENOTFOUND') return { ok: false, kind: 'nxdomain', reason: 'NXDOMAIN' };
  if (code === 'ENODATA') return { ok: false, kind: 'nodata', reason: 'no records' };
  return { ok: false, kind: 'tempfail', reason: TEMP_REASONS[code] ?? (code || String((err as Error)?.message ?? err)) };
}

const fqdn = (name: string): string => (name.endsWith('.') ? name : `${name}.`);
const clean = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '');

export class DnsMxResolver implements MxResolver {
  private readonly resolver: Resolver;
  private readonly families: readonly AddressFamily[];

  constructor(options: DnsResolverOptions = {}) {
    this.resolver = new Resolver({ timeout: options.timeoutMs ?? 5000, tries: options.tries ?? 2 });
    if (options.servers && options.servers.length > 0) this.resolver.setServers([...options.servers]);
    this.families = options.families && options.families.length > 0 ? options.families : ['ipv4', 'ipv6'];
  }

  async mx(domain: string): Promise<DnsResult<MxRecord[]>> {
    try {
      const records = await this.resolver.resolveMx(fqdn(domain));
      if (records.length === 0) return { ok: false, kind: 'nodata', reason: 'no records' };
      return { ok: true, value: records.map((r) => ({ exchange: clean(r.exchange), priority: r.priority })) };
    } catch (err) {
      return classify(err);
    }
  }

  async addresses(host: string): Promise<DnsResult<string[]>> {
    if (isIP(host)) return { ok: true, value: [host] };
    const answers = await Promise.all(
      this.families.map(async (family): Promise<DnsResult<string[]>> => {
        try {
          const value = family === 'ipv4' ? await this.resolver.resolve4(fqdn(host)) : await this.resolver.resolve6(fqdn(host));
          return value.length > 0 ? { ok: true, value } : { ok: false, kind: 'nodata', reason: 'no records' };
        } catch (err) {
          return classify(err);
        }
      }),
    );
    const value = answers.flatMap((a) => (a.ok ? a.value : []));
    if (value.length > 0) return { ok: true, value };
    const failures = answers.filter((a): a is Extract<DnsResult<string[]>, { ok: false }> => !a.ok);
    const temp = failures.find((f) => f.kind === 'tempfail');
    if (temp) return temp;
    if (failures.every((f) => f.kind === 'nxdomain')) return { ok: false, kind: 'nxdomain', reason: 'NXDOMAIN' };
    return { ok: false, kind: 'nodata', reason: 'no A/AAAA records' };
  }

  /** Cancels queries in flight (they fail as temporary). */
  cancel(): void {
    this.resolver.cancel();
  }
}
