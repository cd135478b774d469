/** The shortest and the longest wait between the retries that follow a job's quick attempts. */
const MIN_WAIT_MS = 60_000;
const MAX_WAIT_MS = 15 * 60_000;

/**
 * When a text that did not go out is tried next, once its job's quick attempts (seconds apart) are
 * spent: after a wait as long as the failures have lasted so far, so the gaps double, kept between
 * 1 and 15 minutes; the last try at the deadline, `retryForMs` after the first failure. `null`:
 * the deadline has passed, give up.
 */
export function nextRetryAt(failingSince: Date, now: Date, retryForMs: number): Date | null {
  const deadline = failingSince.getTime() + retryForMs;
  if (now.getTime() >= deadline) return null;
  const lasted = now.getTime() - failingSince.getTime();
  const wait = Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, lasted));
  return new Date(Math.min(deadline, now.getTime() + wait));
}
