/**
 * Per-destination bookkeeping for the SMTP client: a concurrency cap (slots) and a small list of
 * idle, already greeted/secured/authenticated sessions that the next job may reuse.
 *
 * Why: every new session to a relay costs a TCP handshake, EHLO, a TLS handshake and AUTH; a
 * gateway sending bursts to one relay-back host (Microsoft 365, the internal MTA) would otherwise
 * spend most of its time there, and an uncapped burst would trip the peer's connection limits.
 */

export interface Closable {
  /** still connected (the peer may have dropped an idle session) */
  readonly usable: boolean;
  quit(): Promise<void>;
}

export class DeliverClosedError extends Error {
  constructor() {
    super('deliverer is closed');
    this.name = 'DeliverClosedError';
  }
}

interface Idle<C> {
  readonly conn: C;
  readonly timer: NodeJS.Timeout;
}

interface Destination<C> {
  active: number;
  readonly waiters: Array<{ resolve: () => void; reject: (err: Error) => void }>;
  readonly idle: Array<Idle<C>>;
}

export interface PoolLimits {
  /** sessions (active transactions) per destination */
  readonly concurrency: number;
  /** idle sessions kept per destination */
  readonly maxIdle: number;
  /** an idle session is closed after this long */
  readonly idleTimeoutMs: number;
}

export class ConnectionPool<C extends Closable> {
  private readonly destinations = new Map<string, Destination<C>>();
  private readonly closing = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly limits: PoolLimits) {}

  private destination(key: string): Destination<C> {
    let d = this.destinations.get(key);
    if (!d) {
      d = { active: 0, waiters: [], idle: [] };
      this.destinations.set(key, d);
    }
    return d;
  }

  /** Waits for a free slot at this destination (FIFO). Rejects with DeliverClosedError after close(). */
  acquire(key: string): Promise<void> {
    if (this.closed) return Promise.reject(new DeliverClosedError());
    const d = this.destination(key);
    if (d.active < this.limits.concurrency) {
      d.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => d.waiters.push({ resolve, reject }));
  }

  /** Frees a slot; hands it straight to the next waiter so the cap holds without a gap. */
  release(key: string): void {
    const d = this.destinations.get(key);
    if (!d) return;
    const next = d.waiters.shift();
    if (next) {
      next.resolve();
      return;
    }
    d.active--;
    if (d.active === 0 && d.idle.length === 0) this.destinations.delete(key);
  }

  /** The most recently used idle session that is still connected, or null. */
  takeIdle(key: string): C | null {
    const d = this.destinations.get(key);
    while (d && d.idle.length > 0) {
      const entry = d.idle.pop()!;
      clearTimeout(entry.timer);
      if (entry.conn.usable) return entry.conn;
    }
    return null;
  }

  /** Keeps a session for reuse, or closes it when the pool is full or closed. */
  putIdle(key: string, conn: C): void {
    const d = this.destination(key);
    if (this.closed || !conn.usable || d.idle.length >= this.limits.maxIdle) {
      this.dispose(conn);
      return;
    }
    const timer = setTimeout(() => {
      const at = d.idle.findIndex((e) => e.conn === conn);
      if (at >= 0) d.idle.splice(at, 1);
      this.dispose(conn);
    }, this.limits.idleTimeoutMs);
    // an idle session must never keep the process alive
    timer.unref();
    d.idle.push({ conn, timer });
  }

  /** Quits a session in the background; close() waits for these. */
  dispose(conn: C): void {
    const p = conn.quit().catch(() => undefined);
    this.closing.add(p);
    void p.finally(() => this.closing.delete(p));
  }

  /** Counts for tests and metrics. */
  stats(key: string): { active: number; idle: number; waiting: number } {
    const d = this.destinations.get(key);
    return { active: d?.active ?? 0, idle: d?.idle.length ?? 0, waiting: d?.waiters.length ?? 0 };
  }

  /** Rejects waiters, quits idle sessions and waits for every pending quit. */
  async close(): Promise<void> {
    this.closed = true;
    for (const d of this.destinations.values()) {
      for (const w of d.waiters.splice(0)) w.reject(new DeliverClosedError());
      for (const entry of d.idle.splice(0)) {
        clearTimeout(entry.timer);
        this.dispose(entry.conn);
      }
    }
    await Promise.all([...this.closing]);
  }
}
