import { describe, expect, it } from 'vitest';
import { runInOrder } from '../src/visits/ingest-batch.ts';

describe('runInOrder', () => {
  it('returns results in batch order, runs at most `concurrency` at once, and keeps items with a shared key in order', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({ i, key: `k${i % 4}` }));
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const results = await runInOrder(
      items,
      (item) => [item.key],
      async (item) => {
        running++;
        peak = Math.max(peak, running);
        // Later items finish sooner, so any order that is kept is kept on purpose.
        for (let n = 0; n < 30 - item.i; n++) await Promise.resolve();
        seen.push(item.i);
        running--;
        return item.i * 2;
      },
      3,
    );
    expect(results).toEqual(items.map((x) => x.i * 2));
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    for (const key of ['k0', 'k1', 'k2', 'k3']) {
      const order = seen.filter((i) => `k${i % 4}` === key);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it('waits for every key an item has', async () => {
    const log: string[] = [];
    await runInOrder(
      [
        { id: 'a', keys: ['visit'], ticks: 20 },
        { id: 'b', keys: ['patient'], ticks: 10 },
        { id: 'c', keys: ['visit', 'patient'], ticks: 0 },
      ],
      (x) => x.keys,
      async (x) => {
        for (let n = 0; n < x.ticks; n++) await Promise.resolve();
        log.push(x.id);
      },
      3,
    );
    expect(log.indexOf('c')).toBe(2);
  });

  it('lets one failure reject the batch without stalling the others', async () => {
    await expect(
      runInOrder(
        [1, 2, 3],
        () => ['same'],
        async (n) => {
          if (n === 1) throw new Error('database down');
          return n;
        },
        2,
      ),
    ).rejects.toThrow('database down');
  });
});
