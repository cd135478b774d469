import { type Nesting, npsFigures, type SuppressionMark, shareOf, suppressSmallGroups } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import { DIMENSION_SQL, effectiveMinN, filterClause, type GroupDimension, type ReportQuery } from './report-query.ts';
import { rollupSource } from './rollup-source.ts';
import { reportNestings } from './unit-nesting.ts';

export interface AnswerCounts {
  promoters: number;
  passives: number;
  detractors: number;
  comments: number;
}

export type GroupKey = Partial<Record<GroupDimension, string>>;

export interface NpsFiguresRow {
  n: number;
  suppressed: boolean;
  suppression?: SuppressionMark;
  promoters?: number;
  passives?: number;
  detractors?: number;
  shares?: { promoters: number; passives: number; detractors: number };
  nps?: number;
  ci95?: [number, number];
  commentShare?: number;
}
export type NpsRow = { key: GroupKey } & NpsFiguresRow;

export interface NpsReport {
  from: string;
  to: string;
  groupBy: GroupDimension[];
  minN: number;
  rows: NpsRow[];
  total: NpsFiguresRow;
}

/** The figures of one group; a suppressed group shows its size only. */
export function npsFiguresOf(c: AnswerCounts, mark: SuppressionMark | null): NpsFiguresRow {
  const n = c.promoters + c.passives + c.detractors;
  if (mark) return { n, suppressed: true, suppression: mark };
  const f = npsFigures(c);
  const share = (x: number) => shareOf(x, n) ?? 0;
  return {
    n,
    promoters: c.promoters,
    passives: c.passives,
    detractors: c.detractors,
    shares: { promoters: share(c.promoters), passives: share(c.passives), detractors: share(c.detractors) },
    nps: f?.nps ?? 0,
    ci95: f?.ci95 ?? [0, 0],
    commentShare: share(c.comments),
    suppressed: false,
  };
}

/** Answer counts per group from the NPS rollups (groups without answers left out). */
export async function answerCounts(pool: Pool, q: ReportQuery, dims: readonly GroupDimension[]) {
  const params: unknown[] = [];
  const source = rollupSource('nps', q.from, q.to, dims.includes('week'), params);
  const where = filterClause(q, params);
  const groups = dims.map((_, i) => `g${i}`);
  const sql = `SELECT ${[
    ...dims.map((d, i) => `${DIMENSION_SQL[d]} AS g${i}`),
    'sum(d.promoters)::int AS promoters',
    'sum(d.passives)::int AS passives',
    'sum(d.detractors)::int AS detractors',
    'sum(d.comments)::int AS comments',
  ].join(', ')}
    FROM ${source} d WHERE true${where}
    ${dims.length ? `GROUP BY ${groups.join(', ')} HAVING sum(d.promoters + d.passives + d.detractors) > 0 ORDER BY ${groups.join(', ')}` : ''}`;
  const { rows } = await pool.query<Record<string, string> & AnswerCounts>(sql, params);
  return rows
    .map((r) => ({ key: Object.fromEntries(dims.map((d, i) => [d, String(r[`g${i}`])])) as GroupKey, counts: r }))
    .filter((g) => g.counts.promoters + g.counts.passives + g.counts.detractors > 0);
}

/** NPS per group over the rollups, with small groups suppressed (complementary where needed). */
export async function npsReport(pool: Pool, q: ReportQuery, configuredMinN: number, nesting?: Nesting): Promise<NpsReport> {
  const minN = effectiveMinN(q, configuredMinN);
  const dims = q.groupBy;
  const [groups, nestings] = await Promise.all([answerCounts(pool, q, dims), reportNestings(pool, q, nesting)]);
  const total = groups.reduce<AnswerCounts>(
    (t, g) => ({
      promoters: t.promoters + g.counts.promoters,
      passives: t.passives + g.counts.passives,
      detractors: t.detractors + g.counts.detractors,
      comments: t.comments + g.counts.comments,
    }),
    { promoters: 0, passives: 0, detractors: 0, comments: 0 },
  );
  const size = (c: AnswerCounts) => c.promoters + c.passives + c.detractors;
  const totalMark = size(total) < minN ? ('small-group' as const) : null;
  const marks = dims.length
    ? suppressSmallGroups(
        groups.map((g) => ({ key: g.key as Record<string, string>, n: size(g.counts) })),
        dims,
        minN,
        nestings,
      )
    : // Without groupBy the one row is the total, hidden with it.
      { cells: groups.map(() => totalMark), total: totalMark };
  return {
    from: q.from,
    to: q.to,
    groupBy: dims,
    minN,
    rows: groups.map((g, i) => ({ key: g.key, ...npsFiguresOf(g.counts, marks.cells[i] ?? null) })),
    total: npsFiguresOf(total, marks.total),
  };
}
