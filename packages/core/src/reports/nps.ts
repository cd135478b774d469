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

/** NPS rounded to a whole number, with a 95 % normal-approximation interval clamped to −100…100. */
export function npsFigures(c: NpsCounts): NpsFigures | null {
  const n = c.promoters + c.passives + c.detractors;
  if (n === 0) return null;
  const p = c.promoters / n;
  const d = c.detractors / n;
  const score = p - d;
  const variance = p + d - score * score;
  const half = 1.96 * Math.sqrt(Math.max(variance, 0) / n);
  const clamp = (x: number) => Math.max(-100, Math.min(100, Math.round(x * 100)));
  return { n, nps: clamp(score), ci95: [clamp(score - half), clamp(score + half)] };
}
