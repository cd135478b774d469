/**
 * Reads a rollup for a period of Helsinki days: whole calendar months from the monthly table, the
 * partial months at either end from the daily table. Week grouping needs days, so it reads daily.
 */
export type Rollup = 'nps' | 'funnel';

const COLUMNS: Record<Rollup, string> = {
  nps: 'unit_id, service, language, age_band, source, sent, delivered, promoters, passives, detractors, comments',
  funnel: 'unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled, failed',
};

function shiftMonth(monthStart: string, by: number): string {
  const [y, m] = monthStart.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 10);
}

function previousDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/** Whole months inside [from, to] as [first month start, last month start], or null. */
export function wholeMonths(from: string, to: string): [string, string] | null {
  const first = from.endsWith('-01') ? from : shiftMonth(`${from.slice(0, 7)}-01`, 1);
  const toMonth = `${to.slice(0, 7)}-01`;
  const last = previousDay(shiftMonth(toMonth, 1)) === to ? toMonth : shiftMonth(toMonth, -1);
  return first <= last ? [first, last] : null;
}

/** A subquery with columns month, day (null for monthly rows) and the rollup's own. */
export function rollupSource(rollup: Rollup, from: string, to: string, byDay: boolean, params: unknown[]): string {
  const p = (value: string) => {
    params.push(value);
    return `$${params.length}::date`;
  };
  const daily = (a: string, b: string) =>
    `SELECT date_trunc('month', day)::date AS month, day, ${COLUMNS[rollup]} FROM ${rollup}_daily WHERE day BETWEEN ${p(a)} AND ${p(b)}`;
  const months = byDay ? null : wholeMonths(from, to);
  if (!months) return `(${daily(from, to)})`;
  const [first, last] = months;
  const parts = [
    `SELECT month, NULL::date AS day, ${COLUMNS[rollup]} FROM ${rollup}_monthly WHERE month BETWEEN ${p(first)} AND ${p(last)}`,
  ];
  if (from < first) parts.push(daily(from, previousDay(first)));
  const afterLast = shiftMonth(last, 1);
  if (afterLast <= to) parts.push(daily(afterLast, to));
  return `(${parts.join(' UNION ALL ')})`;
}
