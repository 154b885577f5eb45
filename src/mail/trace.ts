/** One decision the gateway made about a message; `policy explain` and `queue show` print these. */
export interface TraceEntry {
  readonly at: number;
  /** processor/step, e.g. "outbound/select" */
  readonly stage: string;
  readonly event: string;
  readonly recipients?: readonly string[];
  readonly detail?: string;
}

export class Trace {
  readonly entries: TraceEntry[] = [];
  constructor(private readonly clock: () => number = Date.now) {}

  add(stage: string, event: string, detail?: string, recipients?: readonly string[]): void {
    const entry: TraceEntry = { at: this.clock(), stage, event };
    if (detail !== undefined) Object.assign(entry, { detail });
    if (recipients !== undefined) Object.assign(entry, { recipients: [...recipients] });
    this.entries.push(entry);
  }
}
