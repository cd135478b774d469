import { describe, expect, it } from 'vitest';
import { createGroupCommit, retryIfRolledBack } from '../src/group-commit.ts';

/** A run() that records each group and finishes only when the test lets it. */
function recorder(fail: (items: number[]) => Error | null = () => null) {
  const groups: number[][] = [];
  const pending: Array<() => void> = [];
  const run = (items: number[]) => {
    groups.push(items);
    return new Promise<string[]>((resolve, reject) => {
      pending.push(() => {
        const error = fail(items);
        if (error) reject(error);
        else resolve(items.map((i) => `done ${i}`));
      });
    });
  };
  const finishAll = async () => {
    while (pending.length > 0) {
      (pending.shift() as () => void)();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { groups, run, finishAll };
}

describe('group commit', () => {
  it('an item that finds a free slot goes alone; items that wait go together, each with its own result', async () => {
    const r = recorder();
    const submit = createGroupCommit<number, string>({ run: r.run, inFlight: 1, maxGroup: 100 });
    const results = Promise.all([1, 2, 3, 4, 5].map((i) => submit(i)));
    await r.finishAll();
    expect(await results).toEqual(['done 1', 'done 2', 'done 3', 'done 4', 'done 5']);
    expect(r.groups).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('never more groups in flight than allowed, and no group larger than maxGroup', async () => {
    const r = recorder();
    const submit = createGroupCommit<number, string>({ run: r.run, inFlight: 2, maxGroup: 3 });
    const results = Promise.all(Array.from({ length: 10 }, (_, i) => submit(i)));
    expect(r.groups).toEqual([[0], [1]]);
    await r.finishAll();
    await results;
    expect(r.groups.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...r.groups.map((g) => g.length))).toBeLessThanOrEqual(3);
  });

  it('a failed group is tried again one by one: only the bad item fails', async () => {
    const r = recorder((items) => (items.includes(3) ? new Error('bad item 3') : null));
    const submit = createGroupCommit<number, string>({ run: r.run, inFlight: 1, maxGroup: 100 });
    const results = Promise.allSettled([1, 2, 3, 4].map((i) => submit(i)));
    await r.finishAll();
    const settled = await results;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(r.groups).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it("a deadlock's victim is run again, alone or as a group", async () => {
    let victims = 2;
    const deadlock = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const r = recorder(() => (victims-- > 0 ? deadlock() : null));
    const submit = createGroupCommit<number, string>({ run: (items) => retryIfRolledBack(() => r.run(items)), inFlight: 1, maxGroup: 100 });
    const results = Promise.all([1, 2, 3].map((i) => submit(i)));
    await r.finishAll();
    expect(await results).toEqual(['done 1', 'done 2', 'done 3']);
    expect(r.groups).toEqual([[1], [1], [1], [2, 3]]);
  });

  it('a deadlock victim three times over fails, as other errors do', async () => {
    const r = recorder(() => Object.assign(new Error('deadlock detected'), { code: '40P01' }));
    const submit = createGroupCommit<number, string>({ run: (items) => retryIfRolledBack(() => r.run(items)), inFlight: 1, maxGroup: 100 });
    const result = Promise.allSettled([submit(1)]);
    await r.finishAll();
    expect((await result)[0]).toMatchObject({ status: 'rejected', reason: { code: '40P01' } });
    expect(r.groups).toEqual([[1], [1], [1]]);
  });

  it('an unavailable database fails the whole group at once (no retry storm)', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const r = recorder((items) => (items.length > 1 ? down : null));
    const submit = createGroupCommit<number, string>({ run: r.run, inFlight: 1, maxGroup: 100 });
    const results = Promise.allSettled([1, 2, 3].map((i) => submit(i)));
    await r.finishAll();
    expect((await results).map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(r.groups).toEqual([[1], [2, 3]]);
  });

  it('with a gathering window, items that come within it go as one group', async () => {
    const r = recorder();
    const submit = createGroupCommit<number, string>({ run: r.run, inFlight: 1, maxGroup: 100, gatherMs: 5 });
    const results = Promise.all([1, 2, 3].map((i) => submit(i)));
    expect(r.groups).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await r.finishAll();
    expect(await results).toEqual(['done 1', 'done 2', 'done 3']);
    expect(r.groups).toEqual([[1, 2, 3]]);
  });

  it('with gatherUntilAllBack, a window closes as soon as as many items wait as were seen together', async () => {
    const r = recorder();
    const submit = createGroupCommit<number, string>({
      run: r.run,
      inFlight: 1,
      maxGroup: 100,
      gatherMs: 60_000,
      gatherUntilAllBack: true,
    });
    const first = Promise.all([1, 2, 3].map((i) => submit(i)));
    await r.finishAll();
    expect(await first).toEqual(['done 1', 'done 2', 'done 3']);
    expect(r.groups).toEqual([[1], [2, 3]]);
    // three were seen together: two wait for the third (the window is a minute long)...
    const second = Promise.all([4, 5].map((i) => submit(i)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.groups).toHaveLength(2);
    // ...and go with it as soon as it comes
    const third = submit(6);
    expect(r.groups).toEqual([[1], [2, 3], [4, 5, 6]]);
    await r.finishAll();
    expect(await second).toEqual(['done 4', 'done 5']);
    expect(await third).toBe('done 6');
  });

  it('a lone item takes the one-item path when there is one', async () => {
    const r = recorder();
    const submit = createGroupCommit<number, string>({ run: r.run, runOne: async (i) => `one ${i}`, inFlight: 1, maxGroup: 100 });
    expect(await submit(7)).toBe('one 7');
    expect(r.groups).toEqual([]);
  });
});

describe('retryIfRolledBack', () => {
  it('runs a deadlock victim or a serialization failure again, and nothing else', async () => {
    let calls = 0;
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const serialization = Object.assign(new Error('could not serialize'), { code: '40001' });
    expect(
      await retryIfRolledBack(async () => (++calls === 1 ? Promise.reject(deadlock) : calls === 2 ? Promise.reject(serialization) : 'ok')),
    ).toBe('ok');
    expect(calls).toBe(3);
    await expect(retryIfRolledBack(() => Promise.reject(Object.assign(new Error('other'), { code: '23505' })))).rejects.toThrow('other');
    await expect(retryIfRolledBack(() => Promise.reject(deadlock), 1)).rejects.toThrow('deadlock');
  });
});
