/**
 * The policy stage's view of message content: one ContentIndex per message draft (src/dlp),
 * computed the first time a rule needs it (a `body`, `attachment` or `dlp` condition, or a score
 * list scanning bodies) and shared by every rule, recipient and branch that sees the same draft.
 * Drafts are immutable, so the draft object is the cache key; a WeakMap lets it go with the message.
 * SECURITY: indexing parses hostile input; src/dlp bounds it (depth, parts, sizes, time) and
 * reports what it could not scan instead of throwing.
 */
import type { TextArea } from '../config/policy-schema.js';
import type { ContentIndex } from '../dlp/types.js';
import type { MessageDraft } from '../mime/draft.js';

export type { ContentIndex } from '../dlp/types.js';

/** What a dlp condition learns from a detector. */
export interface Detection {
  readonly count: number;
  /** masked hits (`4111 **** **** 1111`), for the trace */
  readonly matches: readonly string[];
  /** parts in the scanned areas that could not be scanned */
  readonly unscannable: readonly string[];
}

/** The DLP engine as the policy stage uses it (wired in app.ts over src/dlp). */
export interface ContentScanner {
  index(raw: Buffer): Promise<ContentIndex>;
  detect(index: ContentIndex, detector: string, where?: readonly TextArea[]): Detection;
  /** `dlp.unscannable: match` — a part that could not be scanned makes a dlp condition hold */
  readonly unscannableMatches: boolean;
}

/**
 * Restricts an index to some text areas (a dlp condition's `where`). What could not be scanned
 * stays: nobody can tell which area its text would have fallen in (a scan that stopped at a limit
 * misses bodies too), so it still counts under `dlp.unscannable: match`.
 */
export function restrictIndex(index: ContentIndex, where: readonly TextArea[] | undefined): ContentIndex {
  if (!where) return index;
  return { ...index, texts: index.texts.filter((t) => where.includes(t.where)) };
}

/** Lazily computed, cached content of drafts. */
export class ContentCache {
  private readonly cache = new WeakMap<MessageDraft, Promise<ContentIndex>>();
  constructor(readonly scanner: ContentScanner | null) {}

  /** The draft's index; throws when no scanner is configured (a content rule cannot be evaluated). */
  get(draft: MessageDraft): Promise<ContentIndex> {
    let p = this.cache.get(draft);
    if (!p) {
      if (!this.scanner) return Promise.reject(new Error('content conditions need the DLP engine, which is not configured'));
      p = this.scanner.index(draft.toBuffer());
      this.cache.set(draft, p);
    }
    return p;
  }
}
