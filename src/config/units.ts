/** Parsers for the human units the config accepts: durations ("5m", "4d") and sizes ("25MB"). */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export const DURATION_PATTERN = /^(\d+)\s*(ms|s|m|h|d|w)$/;
export const SIZE_PATTERN = /^(\d+)\s*(b|kb|mb|gb)?$/i;

/** "90s" → 90000. Returns null for anything else, so callers report the bad value themselves. */
export function parseDuration(text: string): number | null {
  const m = DURATION_PATTERN.exec(text.trim());
  return m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : null;
}

/** "25MB" → 26214400 (binary multiples, as mail administrators expect from Postfix/Exchange limits). */
export function parseSize(text: string): number | null {
  const m = SIZE_PATTERN.exec(text.trim());
  return m ? Number(m[1]) * SIZE_UNITS[(m[2] ?? 'b').toLowerCase()]! : null;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
