import { isAllowedTime, type SendWindow } from '@kaiku/core';

/** Twilio keeps an undelivered message queued at most this long (its default and our ceiling). */
export const MAX_VALIDITY_SECONDS = 4 * 3600;
/** Less than this before quiet hours: wait for the next allowed time instead. */
export const MIN_VALIDITY_SECONDS = 60;

/**
 * How long Twilio may keep the message in its queue: until quiet hours (or a skipped holiday)
 * begin, at most four hours, so a message stuck in the queue is dropped rather than arriving at
 * night. `null` when that is under a minute away.
 */
export function validityPeriodSeconds(at: Date, window: SendWindow): number | null {
  const step = 60_000;
  // The first whole minute after `at` that is not allowed ends the window.
  const firstMinute = Math.ceil((at.getTime() + 1) / step) * step;
  for (let t = firstMinute; t - at.getTime() <= MAX_VALIDITY_SECONDS * 1000; t += step) {
    if (!isAllowedTime(new Date(t), window)) {
      const seconds = Math.floor((t - at.getTime()) / 1000);
      return seconds < MIN_VALIDITY_SECONDS ? null : seconds;
    }
  }
  return MAX_VALIDITY_SECONDS;
}
