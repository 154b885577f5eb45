/**
 * dlp/ — the content index of one message and the results of detectors over it.
 *
 * The index is computed once per message (lazily, by whoever first needs it) and then read by
 * every `body`, `attachment` and `dlp` condition, so extraction cost is paid once.
 * Paths name where a text came from: "" is the top-level header block, "1", "1.2" … are MIME part
 * numbers as in IMAP (a single-part message's body is "1"), and "2!dir/a.txt" is a member of the
 * archive or document in part 2 ("2!a.zip!b.txt" for archives in archives).
 */
import type { DlpConfig } from '../config/dlp-schema.js';

export type { DlpConfig } from '../config/dlp-schema.js';

/** Bounds on what one message may make the extractor do; `config.dlp.limits` has this shape. */
export interface DlpLimits {
  /** nesting levels (multipart, message/rfc822, archive in archive) */
  readonly maxDepth: number;
  /** MIME parts + archive members examined */
  readonly maxParts: number;
  /** bytes produced by decompression (archives, OOXML) in all */
  readonly maxDecompressedBytes: number;
  /** decompressed/compressed above which a member is a bomb */
  readonly maxRatio: number;
  /** wall time for the whole extraction */
  readonly maxExtractMs: number;
  /** text kept in all */
  readonly maxTextBytes: number;
}

export type TextWhere = 'header' | 'subject' | 'body' | 'attachment';

export interface ScannedText {
  /**
   * header: the top-level header block, decoded, one `Name: value` line per field (Subject included);
   * subject: the top-level Subject, decoded;
   * body: inline text/plain and text/html parts of the top-level message (HTML as text);
   * attachment: everything else — attached files, nested message/rfc822 (its headers too), archive
   * members, text extracted from PDF/DOCX/XLSX.
   */
  readonly where: TextWhere;
  readonly path: string;
  readonly text: string;
  /**
   * Set for text inside a multipart/alternative: `group` is that multipart's path, `branch` the
   * alternative (0, 1 …). The alternatives say the same thing twice (text and HTML), so whoever
   * counts occurrences should take the largest branch of a group, not the sum (detect() does).
   */
  readonly alternative?: { readonly group: string; readonly branch: number };
}

export interface AttachmentInfo {
  readonly path: string;
  /** file name (decoded, RFC 2231/2047), or the member name inside an archive; '' when none */
  readonly name: string;
  /** lower-case media type as declared (MIME) or guessed from the name (archive members) */
  readonly contentType: string;
  /** decoded size in bytes (for archive members: the size declared in the archive) */
  readonly size: number;
}

export interface Unscannable {
  readonly path: string;
  /** short, fixed-form reason, e.g. "encrypted archive entry", "nesting deeper than 10" */
  readonly reason: string;
}

export interface ContentIndex {
  readonly texts: readonly ScannedText[];
  /** every file-like part: MIME attachments (and non-text inline parts), nested messages, archive members */
  readonly attachments: readonly AttachmentInfo[];
  readonly unscannable: readonly Unscannable[];
  /** decoded content bytes examined (MIME parts after transfer decoding, plus decompressed bytes) */
  readonly bytesScanned: number;
}

export interface DetectionResult {
  readonly detector: string;
  /**
   * hits counted (distinct values for the built-ins; occurrences for custom detectors unless
   * `distinct`) — 0 while below the detector's threshold, so `count >= atLeast` honours it
   */
  readonly count: number;
  /** hits found, even below the threshold (for traces) */
  readonly found: number;
  /** the hits, masked (`4111 **** **** 1111`, `***-**-6789`); at most 20 are listed */
  readonly matches: readonly string[];
  /** the detector's own threshold (1 for built-ins) */
  readonly threshold: number;
  /** found >= threshold */
  readonly hit: boolean;
  /**
   * paths of parts that could not be scanned and that lie in the detector's scan areas. With
   * `dlp.unscannable: match` (the default) a dlp condition should count such a message as
   * matching: see `dlpConditionHolds`.
   */
  readonly unscannable: readonly string[];
}

// config.dlp.limits must stay usable as DlpLimits
export type LimitsFromConfig = DlpConfig['limits'] extends DlpLimits ? DlpConfig['limits'] : never;
