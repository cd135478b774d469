import { describe, expect, it } from 'vitest';
import { roundsOf } from '../src/visits/ingest-visits-ended.ts';
import { retryOnDeadlock } from '../src/visits/visit.repository.ts';

describe('rounds of a call', () => {
  it('puts a later event of the same visit or patient in a later round, everything else in the first it can', () => {
    const keys = [
      ['visit:a', 'patient:p'],
      ['visit:b', 'patient:q'],
      ['visit:c', 'patient:p'], // p again
      ['visit:a', 'patient:r'], // visit a again
      ['visit:d', 'patient:p'], // p a third time
      ['visit:e'], // no patient
    ];
    expect(roundsOf(keys)).toEqual([0, 0, 1, 1, 2, 0]);
  });
});

describe('retryOnDeadlock', () => {
  it('runs a deadlock victim again, a bounded number of times, and nothing else', async () => {
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    let calls = 0;
    expect(await retryOnDeadlock(async () => (++calls < 3 ? Promise.reject(deadlock) : 'stored'))).toBe('stored');
    expect(calls).toBe(3);
    await expect(retryOnDeadlock(() => Promise.reject(deadlock), 2)).rejects.toThrow('deadlock');
    let other = 0;
    await expect(
      retryOnDeadlock(() => {
        other++;
        return Promise.reject(Object.assign(new Error('duplicate key'), { code: '23505' }));
      }),
    ).rejects.toThrow('duplicate key');
    expect(other).toBe(1);
  });
});
