/** When to try again after `attempts` failed attempts: the configured waits, the last repeating. */
export function nextAttemptAt(schedule: readonly number[], attempts: number, now: number): number {
  const wait = schedule[Math.min(Math.max(attempts - 1, 0), schedule.length - 1)] ?? 4 * 3600_000;
  return now + wait;
}
