/**
 * portal/overrides — per-message overrides of a profile's portal settings, set by the sender
 * (or a filter/add-in) in headers (DESIGN §5):
 *
 *   X-Sealpost-Expiration: +D | +HH:MM:SS        alias X-PostX-ExpirationDate
 *   X-Sealpost-Read-Receipt: true|false          alias X-PostX-Send-Return-Receipt
 *   X-Sealpost-Allow-Reply: true|false           alias X-PostX-Reply-Enabled
 *   X-Sealpost-Allow-Reply-All: true|false       alias X-PostX-Reply-All-Enabled
 *   X-Sealpost-Allow-Forward: true|false         alias X-PostX-Forward-Enabled
 *
 * The Cisco names are the ones its ESA content filters set (`+24:00:00` = 24 hours, `+7` =
 * 7 days). When both spellings are present the X-Sealpost one wins. A value that does not parse
 * is ignored and reported (`problems`), never guessed: the profile's setting stays.
 * SECURITY: headers are untrusted; callers apply overrides only for internal senders (DESIGN
 * §5: "trigger and override headers count only from internal senders"). finalize-stage strips
 * these headers before anything leaves the gateway.
 */

export interface PortalOverrides {
  /** expiry relative to the deposit, ms (0 is refused: a message must be readable at all) */
  readonly expiresAfterMs?: number;
  readonly readReceipts?: boolean;
  readonly allowReply?: boolean;
  readonly allowReplyAll?: boolean;
  readonly allowForward?: boolean;
}

export interface ParsedOverrides {
  readonly overrides: PortalOverrides;
  /** one line per header that was present but not understood ("X-Sealpost-Expiration: bad value \"soon\"") */
  readonly problems: readonly string[];
}

/** Header names, ours first: the first present one of each row counts. */
export const OVERRIDE_HEADERS = {
  expiresAfterMs: ['X-Sealpost-Expiration', 'X-PostX-ExpirationDate'],
  readReceipts: ['X-Sealpost-Read-Receipt', 'X-PostX-Send-Return-Receipt'],
  allowReply: ['X-Sealpost-Allow-Reply', 'X-PostX-Reply-Enabled'],
  allowReplyAll: ['X-Sealpost-Allow-Reply-All', 'X-PostX-Reply-All-Enabled'],
  allowForward: ['X-Sealpost-Allow-Forward', 'X-PostX-Forward-Enabled'],
} as const satisfies Record<keyof PortalOverrides, readonly string[]>;

/** Ten years: anything beyond is a typo, not a retention wish. */
export const MAX_EXPIRATION_MS = 3650 * 86_400_000;

/** `+D` (days) or `+HH:MM:SS` (hours may exceed 24) → ms; null when it is neither or out of range. */
export function parseRelativeExpiration(value: string): number | null {
  const v = value.trim();
  let ms: number;
  const days = /^\+(\d{1,4})$/.exec(v);
  const hms = /^\+(\d{1,5}):([0-5]\d):([0-5]\d)$/.exec(v);
  if (days) ms = Number(days[1]) * 86_400_000;
  else if (hms) ms = (Number(hms[1]) * 3600 + Number(hms[2]) * 60 + Number(hms[3])) * 1000;
  else return null;
  return ms > 0 && ms <= MAX_EXPIRATION_MS ? ms : null;
}

/** true/false, also yes/no and 1/0 (what filters write); null otherwise. */
export function parseFlag(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === 'yes' || v === '1' || v === 'on') return true;
  if (v === 'false' || v === 'no' || v === '0' || v === 'off') return false;
  return null;
}

/**
 * Reads the overrides from a header accessor (e.g. MessageDraft#get, or a Map lookup).
 * `get(name)` returns the first value of a header (case-insensitive) or undefined.
 */
export function parseOverrides(get: (name: string) => string | undefined): ParsedOverrides {
  const out: { -readonly [K in keyof PortalOverrides]: PortalOverrides[K] } = {};
  const problems: string[] = [];
  for (const key of Object.keys(OVERRIDE_HEADERS) as (keyof PortalOverrides)[]) {
    for (const name of OVERRIDE_HEADERS[key]) {
      const raw = get(name);
      if (raw === undefined) continue;
      if (key === 'expiresAfterMs') {
        const ms = parseRelativeExpiration(raw);
        if (ms === null) problems.push(`${name}: not understood ${JSON.stringify(raw.slice(0, 40))} (expected +D or +HH:MM:SS, at most ${MAX_EXPIRATION_MS / 86_400_000} days)`);
        else out.expiresAfterMs = ms;
      } else {
        const flag = parseFlag(raw);
        if (flag === null) problems.push(`${name}: not understood ${JSON.stringify(raw.slice(0, 40))} (expected true or false)`);
        else out[key] = flag;
      }
      // the first spelling present decides, even when its value was refused
      break;
    }
  }
  return { overrides: out, problems };
}

/** The profile's settings with the overrides applied. */
export function applyOverrides<T extends { expiresAfter: number; readReceipts: boolean; allowReply: boolean; allowReplyAll: boolean; allowForward: boolean }>(profile: T, o: PortalOverrides): T {
  return {
    ...profile,
    ...(o.expiresAfterMs !== undefined ? { expiresAfter: o.expiresAfterMs } : {}),
    ...(o.readReceipts !== undefined ? { readReceipts: o.readReceipts } : {}),
    ...(o.allowReply !== undefined ? { allowReply: o.allowReply } : {}),
    ...(o.allowReplyAll !== undefined ? { allowReplyAll: o.allowReplyAll } : {}),
    ...(o.allowForward !== undefined ? { allowForward: o.allowForward } : {}),
  };
}
