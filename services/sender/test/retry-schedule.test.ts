import { describe, expect, it } from 'vitest';
import { nextRetryAt } from '../src/retry-schedule.ts';

const HOUR = 3600_000;
const since = new Date('2026-03-10T10:00:00Z');
const after = (ms: number) => new Date(since.getTime() + ms);

describe('nextRetryAt: when a text that did not go out is tried again', () => {
  it('waits as long as the failures have lasted, between one and fifteen minutes', () => {
    expect(nextRetryAt(since, after(30_000), 24 * HOUR)).toEqual(after(90_000));
    expect(nextRetryAt(since, after(4 * 60_000), 24 * HOUR)).toEqual(after(8 * 60_000));
    expect(nextRetryAt(since, after(2 * HOUR), 24 * HOUR)).toEqual(after(2 * HOUR + 15 * 60_000));
  });

  it('tries a last time at the deadline, and gives up after it', () => {
    expect(nextRetryAt(since, after(24 * HOUR - 60_000), 24 * HOUR)).toEqual(after(24 * HOUR));
    expect(nextRetryAt(since, after(24 * HOUR), 24 * HOUR)).toBeNull();
    expect(nextRetryAt(since, since, 0)).toBeNull();
  });
});
