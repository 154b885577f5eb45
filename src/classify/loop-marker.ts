/**
 * The X-Sealpost-Processed loop marker (DESIGN §5): `<node>; <direction>; <time>; <mac>`.
 *
 * The MAC is an HMAC-SHA256 under the gateway secret over node, direction, time and the
 * Message-ID, so a marker can neither be forged nor copied onto another message, and it is valid
 * for a day. SECURITY: comparison is constant-time; a marker that fails any check is treated as
 * absent (and stripped by classify), never as an error the sender could probe.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Direction } from '../mail/envelope.js';

export const PROCESSED_HEADER = 'X-Sealpost-Processed';
const VALIDITY_MS = 24 * 3600 * 1000;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export interface LoopMarker {
  readonly node: string;
  readonly direction: Direction;
  readonly time: number;
}

function mac(secret: Buffer, node: string, direction: Direction, timeSec: number, messageId: string): string {
  return createHmac('sha256', secret).update(`${node}\n${direction}\n${timeSec}\n${messageId.trim()}`).digest('base64url').slice(0, 32);
}

export function stampMarker(secret: Buffer, node: string, direction: Direction, messageId: string, now: number): string {
  const timeSec = Math.floor(now / 1000);
  return `${node}; ${direction}; ${timeSec}; ${mac(secret, node, direction, timeSec, messageId)}`;
}

/** Returns the marker when it is authentic, fresh and bound to this Message-ID; otherwise null. */
export function verifyMarker(secret: Buffer, value: string, messageId: string | undefined, now: number): LoopMarker | null {
  if (!messageId) return null;
  const parts = value.split(';').map((p) => p.trim());
  if (parts.length !== 4) return null;
  const [node, direction, time, given] = parts as [string, string, string, string];
  if (direction !== 'inbound' && direction !== 'outbound') return null;
  if (!/^\d{1,12}$/.test(time)) return null;
  const timeSec = Number(time);
  const age = now - timeSec * 1000;
  if (age > VALIDITY_MS || age < -CLOCK_SKEW_MS) return null;
  const expected = Buffer.from(mac(secret, node, direction, timeSec, messageId));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  return { node, direction, time: timeSec * 1000 };
}
