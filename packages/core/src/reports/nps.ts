/** Net Promoter Score maths: 9–10 promoters, 7–8 passives, 0–6 detractors. */
export type ScoreBand = 'promoter' | 'passive' | 'detractor';

export function scoreBand(score: number): ScoreBand {
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

export interface NpsCounts {
  promoters: number;
  passives: number;
  detractors: number;
}

export interface NpsFigures {
  n: number;
  nps: number;
  ci95: [number, number];
}

/**
 * NPS rounded to a whole number (halves away from zero, as +12.5 → 13 and −12.5 → −13, worked out
 * in integers: 8 promoters and 5 detractors of 24 is exactly 12.5, which floating point makes
 * 12.4999…), with a 95 % normal-approximation interval clamped to −100…100.
 */
export function npsFigures(c: NpsCounts): NpsFigures | null {
  const n = c.promoters + c.passives + c.detractors;
  if (n === 0) return null;
  const p = c.promoters / n;
  const d = c.detractors / n;
  const score = p - d;
  const variance = p + d - score * score;
  const half = 1.96 * Math.sqrt(Math.max(variance, 0) / n);
  const clamp = (x: number) => Math.max(-100, Math.min(100, Math.sign(x) * Math.round(Math.abs(x * 100))));
  const whole = (c.promoters - c.detractors) * 100;
  const nps = Math.sign(whole) * Math.floor((2 * Math.abs(whole) + n) / (2 * n));
  return { n, nps, ci95: [clamp(score - half), clamp(score + half)] };
}
