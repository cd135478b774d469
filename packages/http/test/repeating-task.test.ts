import { describe, expect, it } from 'vitest';
import { createRepeatingTask } from '../src/repeating-task.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a repeating background task', () => {
  it('runs again after each run ends, never two at once; a failed run is reported and the next still comes', async () => {
    let inFlight = 0;
    let most = 0;
    let runs = 0;
    const errors: string[] = [];
    const task = createRepeatingTask({
      intervalMs: 5,
      run: async () => {
        runs += 1;
        inFlight += 1;
        most = Math.max(most, inFlight);
        await sleep(10);
        inFlight -= 1;
        if (runs === 2) throw new Error('second run failed');
      },
      onError: (error) => errors.push(error.message),
    });
    task.start();
    task.start(); // a second start changes nothing
    await sleep(120);
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(4);
    expect(most).toBe(1);
    expect(errors).toEqual(['second run failed']);
  });

  it('stop waits for the run in progress, and nothing runs after it', async () => {
    let finished = 0;
    let started = 0;
    const task = createRepeatingTask({
      intervalMs: 1,
      run: async () => {
        started += 1;
        await sleep(30);
        finished += 1;
      },
      onError: () => {},
    });
    task.start();
    await sleep(10);
    await task.stop();
    expect(finished).toBe(started);
    await sleep(20);
    expect(started).toBe(1);
  });
});
