import { describe, expect, it } from 'vitest';
import { roundsOf } from '../src/visits/ingest-visits-ended.ts';

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
