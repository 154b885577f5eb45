/**
 * SMTP AUTH credential check and per-address throttling of failures.
 *
 * SECURITY: passwords are compared as SHA-256 digests with timingSafeEqual, so neither the length
 * nor the first differing byte shows in the reply time, and every configured user is checked so
 * that a known username answers no faster than an unknown one. Failed attempts slow the next
 * answer to that address and, past a limit, end the session: online guessing gets expensive. A
 * success does not reset the count, or one valid account would let its owner guess at others.
 * Passwords are never logged. STANDARDS: RFC 4954 (535 5.7.8), RFC 4616 (PLAIN).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export class CredentialCheck {
  private readonly users: readonly { user: Buffer; password: Buffer; name: string }[];

  constructor(users: readonly Credentials[]) {
    this.users = users.map((u) => ({ user: digest(u.username), password: digest(u.password), name: u.username }));
  }

  get enabled(): boolean {
    return this.users.length > 0;
  }

  /**
   * Whether a username is configured, for the log line of a failure only: an unknown "username" is
   * often a password typed into the wrong field, and that must not end up in the logs.
   */
  knows(username: string): boolean {
    return this.users.some((u) => u.name === username);
  }

  /** The canonical username on success, null otherwise. */
  verify(username: string, password: string): string | null {
    const user = digest(username);
    const pass = digest(password);
    let found: string | null = null;
    for (const entry of this.users) {
      // both comparisons always run, so a right username with a wrong password costs the same
      const userOk = timingSafeEqual(entry.user, user);
      const passOk = timingSafeEqual(entry.password, pass);
      if (userOk && passOk && found === null) found = entry.name;
    }
    return found;
  }
}

export interface FailureThrottleOptions {
  /** delay added per recent failure, before the 535 goes out */
  readonly stepMs: number;
  readonly maxDelayMs: number;
  /** failures within the window after which the address is refused outright */
  readonly maxFailures: number;
  readonly windowMs: number;
}

export const DEFAULT_THROTTLE: FailureThrottleOptions = { stepMs: 250, maxDelayMs: 3000, maxFailures: 10, windowMs: 15 * 60_000 };

/** Counts recent AUTH failures per client address; memory is bounded by pruning expired entries. */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly options: FailureThrottleOptions = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  private current(address: string): { count: number; since: number } | undefined {
    const entry = this.failures.get(address);
    if (entry && this.now() - entry.since > this.options.windowMs) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }

  /** True when the address has used up its failures for the window. */
  blocked(address: string): boolean {
    return (this.current(address)?.count ?? 0) >= this.options.maxFailures;
  }

  /** Records a failure and returns how long to wait before answering it. */
  fail(address: string): number {
    if (this.failures.size > 10_000) this.prune();
    const entry = this.current(address) ?? { count: 0, since: this.now() };
    entry.count++;
    this.failures.set(address, entry);
    return Math.min(this.options.stepMs * entry.count, this.options.maxDelayMs);
  }

  private prune(): void {
    const now = this.now();
    for (const [address, entry] of this.failures) if (now - entry.since > this.options.windowMs) this.failures.delete(address);
  }
}
