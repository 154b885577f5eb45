/**
 * db/codecs — row ⇄ object mapping for the stores, with validation of every JSON column on read.
 *
 * Why validate our own rows: a damaged file, a manual edit or a row written by a newer version
 * must surface as one SealpostError naming the table, row and column — never as a TypeError deep
 * inside the pipeline or the delivery loop. Objects are checked with zod *loose* objects: known
 * fields must have the right type, unknown fields (added by a later version) are kept, not
 * stripped, so a read-modify-write never drops data.
 * SECURITY: rows carry untrusted envelope data; validation here is structural only.
 */
import { z } from 'zod';
import type { Envelope, SessionInfo } from '../mail/envelope.js';
import type { TraceEntry } from '../mail/trace.js';
import type { DeliveryRecord, QueueItem, QueueItemKind, QueueState } from '../queue/types.js';
import type { QuarantineEntry, QuarantineRelease, QuarantineSummary, ResumePoint, SpoolEntry } from '../spool/types.js';
import { SealpostError, type ErrorCode } from '../errors/index.js';
import { toBytes, toCount, toMillis, toMillisOrNull, toText, toTextOrNull } from './values.js';

/**
 * The catalog has no "corrupt row" code yet; SP_ERR_INTERNAL is the honest fit (a bug or damage,
 * not a transient outage). One constant so the code can be switched in one place.
 */
export const CORRUPT_ROW_CODE: ErrorCode = 'SP_ERR_STORE_CORRUPT';

export function corruptRow(table: string, id: string, column: string, cause: unknown): SealpostError {
  const why = cause instanceof z.ZodError ? cause.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') : cause instanceof Error ? cause.message : String(cause);
  return new SealpostError(CORRUPT_ROW_CODE, `corrupt row in ${table}, id ${id}, column ${column}: ${why}`, { table, id, column, stage: 'store' }, { cause });
}

const direction = z.enum(['inbound', 'outbound']);
const envelopeSchema = z.looseObject({
  mailFrom: z.string(),
  recipients: z.array(z.looseObject({ address: z.string(), direction })),
});
const sessionSchema = z.looseObject({
  listener: z.string(),
  remoteAddress: z.string(),
  helo: z.string(),
  tls: z.looseObject({ protocol: z.string(), cipher: z.string() }).nullable(),
  authUser: z.string().nullable(),
  mayRelay: z.boolean(),
  receivedAt: z.number(),
});
const traceSchema = z.array(
  z.looseObject({
    at: z.number(),
    stage: z.string(),
    event: z.string(),
    recipients: z.array(z.string()).optional(),
    detail: z.string().optional(),
  }),
);
const addressesSchema = z.array(z.string());
const kind = z.enum(['smime', 'pgp']).nullable();
/** Structural check of a resume point; the facts inside are the pipeline's own JSON, kept loose. */
const resumeSchema = z.looseObject({
  processor: z.string().min(1),
  facts: z.looseObject({
    protection: z.looseObject({ level: z.enum(['mandatory', 'opportunistic', 'none']), profile: z.string() }).optional(),
    route: z.string().optional(),
    rules: z.array(z.string()).optional(),
  }),
  messageFacts: z.looseObject({ processedMarker: z.looseObject({ direction, node: z.string() }).nullable(), encrypted: kind, signed: kind, autoSubmitted: z.boolean(), notification: z.string().nullable(), hops: z.number() }),
});
const releaseSchema = z.looseObject({ envelope: envelopeSchema, session: sessionSchema, resume: resumeSchema.nullable() });
const deliverySchema = z.looseObject({
  at: z.number(),
  hop: z.string(),
  remote: z.string().optional(),
  tls: z.looseObject({ protocol: z.string(), cipher: z.string(), verified: z.boolean() }).nullable(),
  response: z.string(),
});
const queueStates = ['queued', 'deferred', 'delivered', 'bounced', 'expired', 'deleted'] as const satisfies readonly QueueState[];
const queueKinds = ['message', 'dsn', 'notice'] as const satisfies readonly QueueItemKind[];

/** Reads one row column by column so an error names the column that failed. */
class RowReader {
  constructor(
    private readonly table: string,
    private readonly row: Record<string, unknown>,
  ) {}

  get id(): string {
    return typeof this.row.id === 'string' ? this.row.id : String(this.row.id);
  }

  private read<T>(column: string, f: (v: unknown) => T): T {
    try {
      return f(this.row[column]);
    } catch (err) {
      throw corruptRow(this.table, this.id, column, err);
    }
  }

  text(c: string): string {
    return this.read(c, toText);
  }
  textOrNull(c: string): string | null {
    return this.read(c, toTextOrNull);
  }
  millis(c: string): number {
    return this.read(c, toMillis);
  }
  millisOrNull(c: string): number | null {
    return this.read(c, toMillisOrNull);
  }
  count(c: string): number {
    return this.read(c, toCount);
  }
  bytes(c: string): Buffer {
    return this.read(c, toBytes);
  }
  json<S extends z.ZodType>(c: string, schema: S): z.output<S> {
    return this.read(c, (v) => schema.parse(JSON.parse(toText(v))));
  }
  jsonOrNull<S extends z.ZodType>(c: string, schema: S): z.output<S> | null {
    return this.read(c, (v) => (v === null || v === undefined ? null : schema.parse(JSON.parse(toText(v)))));
  }
  oneOf<const T extends readonly string[]>(c: string, values: T): T[number] {
    return this.read(c, (v) => {
      const s = toText(v);
      if (!(values as readonly string[]).includes(s)) throw new Error(`unexpected value ${JSON.stringify(s)}`);
      return s as T[number];
    });
  }
}

export function spoolEntryFromRow(row: Record<string, unknown>): SpoolEntry {
  const r = new RowReader('spool_entries', row);
  return {
    id: r.text('id'),
    receivedAt: r.millis('received_at'),
    envelope: r.json('envelope', envelopeSchema) as Envelope,
    session: r.json('session', sessionSchema) as SessionInfo,
    body: r.bytes('body'),
    pending: r.json('pending', addressesSchema),
    attempts: r.count('attempts'),
    claims: r.count('claims'),
    nextAttemptAt: r.millis('next_attempt_at'),
    lastError: r.textOrNull('last_error'),
    trace: r.json('trace', traceSchema) as TraceEntry[],
    resume: r.jsonOrNull('resume', resumeSchema) as ResumePoint | null,
  };
}

export function pendingFromRow(row: Record<string, unknown>): string[] {
  return new RowReader('spool_entries', row).json('pending', addressesSchema);
}

export function queueItemFromRow(row: Record<string, unknown>): QueueItem {
  const r = new RowReader('queue_items', row);
  return {
    id: r.text('id'),
    messageId: r.text('message_id'),
    bodyId: r.text('body_id'),
    kind: r.oneOf('kind', queueKinds),
    sender: r.text('sender'),
    recipient: r.text('recipient'),
    direction: r.oneOf('direction', ['inbound', 'outbound'] as const),
    route: r.text('route'),
    state: r.oneOf('state', queueStates),
    attempts: r.count('attempts'),
    createdAt: r.millis('created_at'),
    nextAttemptAt: r.millis('next_attempt_at'),
    giveUpAt: r.millis('give_up_at'),
    lastResponse: r.textOrNull('last_response'),
    lastDelivery: r.jsonOrNull('last_delivery', deliverySchema) as DeliveryRecord | null,
    trace: r.json('trace', traceSchema) as TraceEntry[],
    ...(r.textOrNull('require_tls') === 'verified' ? { tlsInstead: { fallbackBodyId: r.textOrNull('fallback_body_id') } } : {}),
  };
}

export function quarantineSummaryFromRow(row: Record<string, unknown>): QuarantineSummary {
  const r = new RowReader('quarantine', row);
  return {
    id: r.text('id'),
    messageId: r.text('message_id'),
    recipients: r.json('recipients', addressesSchema),
    sender: r.text('sender'),
    reason: r.text('reason'),
    createdAt: r.millis('created_at'),
    rules: r.jsonOrNull('rules', addressesSchema) ?? [],
    releasable: row.release !== null && row.release !== undefined,
  };
}

export function quarantineEntryFromRow(row: Record<string, unknown>): QuarantineEntry {
  const r = new RowReader('quarantine', row);
  return { ...quarantineSummaryFromRow(row), bytes: r.bytes('bytes'), trace: r.json('trace', traceSchema) as TraceEntry[], release: r.jsonOrNull('release', releaseSchema) as QuarantineRelease | null };
}

/** The body a release hands back: the post-policy message when the entry resumes, else the original. */
export function releaseBodyFromRow(row: Record<string, unknown>): Buffer {
  const r = new RowReader('quarantine', row);
  return row.resume_body === null || row.resume_body === undefined ? r.bytes('bytes') : r.bytes('resume_body');
}

export function bodyFromRow(table: string, id: string, value: unknown): Buffer {
  return new RowReader(table, { id, bytes: value }).bytes('bytes');
}
