/** Shares and rates as the reports show them: a fraction of 1 rounded to three decimals; null when the denominator is 0. */
export function shareOf(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  return Math.round((part / whole) * 1000) / 1000;
}
