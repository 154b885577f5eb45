/**
 * SMTP reply parsing and classification: the one place that decides delivered/deferred/bounced.
 *
 * STANDARDS: RFC 5321 §4.2 (reply codes: 2yz done, 4yz transient, 5yz permanent),
 * RFC 3463 (enhanced status codes), RFC 2034 (their position in a reply).
 */
import type { RecipientStatus } from './types.js';

export interface ParsedReply {
  /** the whole reply on one line: continuation-line codes dropped, texts joined by a space */
  readonly text: string;
  readonly code?: number;
  readonly enhanced?: string;
}

/** Parses a raw reply as nodemailer hands it over ("550-5.1.1 first\n550 5.1.1 second"). */
export function parseReply(raw: string): ParsedReply {
  const lines = raw.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const first = lines[0] ?? '';
  const m = /^([2-5]\d\d)(?:[ -]|$)(?:([245]\.\d{1,3}\.\d{1,3})(?:\s|$))?/.exec(first);
  if (!m) return { text: lines.join(' ').slice(0, 2000) };
  const code = Number(m[1]);
  const enhanced = m[2];
  // Continuation lines repeat "550-5.1.1 "; keep only their text so the reply reads as one line.
  const texts = lines.map((l) => l.replace(/^\d{3}[ -]?/, '').replace(/^[245]\.\d{1,3}\.\d{1,3}\s*/, '').trim());
  const head = enhanced ? `${code} ${enhanced}` : `${code}`;
  const text = `${head} ${texts.filter((t) => t !== '').join(' ')}`.trim().slice(0, 2000);
  return enhanced ? { text, code, enhanced } : { text, code };
}

/**
 * 2yz delivered; 5yz bounced; everything else deferred. 503 (bad sequence of commands) is a
 * session-state error, not a verdict on the message: it is deferred so a fresh session retries.
 */
export function classifyCode(code: number | undefined): RecipientStatus {
  if (code === undefined) return 'deferred';
  if (code >= 200 && code < 300) return 'delivered';
  if (code >= 500 && code < 600 && code !== 503) return 'bounced';
  return 'deferred';
}
