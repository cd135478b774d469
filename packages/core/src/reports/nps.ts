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
 * 12.4999…), with a 95 % normal-approximation interval clamped to −100…100 (adjusted when all
 * answers fall in one band).
 */
export function npsFigures(c: NpsCounts): NpsFigures | null {
  const n = c.promoters + c.passives + c.detractors;
  if (n === 0) return null;
  // Every answer in one band gives the normal approximation no width ("100 ± 0" from two answers):
  // then one answer of each band is added to it (the adjusted Wald interval), which is all a few
  // answers can say.
  const oneBand = [c.promoters, c.passives, c.detractors].filter((x) => x > 0).length === 1;
  const m = oneBand ? n + 3 : n;
  const p = (c.promoters + (oneBand ? 1 : 0)) / m;
  const d = (c.detractors + (oneBand ? 1 : 0)) / m;
  const score = p - d;
  const variance = p + d - score * score;
  const half = 1.96 * Math.sqrt(Math.max(variance, 0) / m);
  const clamp = (x: number) => Math.max(-100, Math.min(100, Math.sign(x) * Math.round(Math.abs(x * 100))));
  const whole = (c.promoters - c.detractors) * 100;
  const nps = Math.sign(whole) * Math.floor((2 * Math.abs(whole) + n) / (2 * n));
  return { n, nps, ci95: [clamp(score - half), clamp(score + half)] };
}
