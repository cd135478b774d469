/** Shares and rates as the reports show them: a fraction of 1 rounded to three decimals; null when the denominator is 0. */
export function shareOf(part: number, whole: number): number | null {
  if (whole <= 0) return null;
  // In integers (counts): 509 of 2,000 is 0.2545 exactly, which floating point makes 0.25449…
  return Math.floor((2000 * part + whole) / (2 * whole)) / 1000;
}
