/** Delay before retry `attempt` (1-based): base * 2^(attempt-1), capped, with +-20% jitter. */
export function backoffMs(attempt: number, baseMs: number, maxMs = 15 * 60_000): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}
