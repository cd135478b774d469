import { npsFigures } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import { DIMENSION_SQL, type GroupDimension, type ReportQuery, whereClause } from './report-query.ts';

interface Counts {
  promoters: number;
  passives: number;
  detractors: number;
  comments: number;
}

export interface NpsRow {
  key: Partial<Record<GroupDimension, string>>;
  n: number;
  suppressed: boolean;
  promoters?: number;
  passives?: number;
  detractors?: number;
  shares?: { promoters: number; passives: number; detractors: number };
  nps?: number;
  ci95?: [number, number];
  commentShare?: number;
}

function figures(key: NpsRow['key'], c: Counts, minN: number): NpsRow {
  const n = c.promoters + c.passives + c.detractors;
  if (n < minN) return { key, n, suppressed: true };
  const f = npsFigures(c);
  const share = (x: number) => Math.round((x / n) * 1000) / 1000;
  return {
    key,
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

/** NPS per group over the nps_daily rollup, with small groups suppressed. */
export async function npsReport(pool: Pool, q: ReportQuery, minN: number) {
  const where = whereClause(q);
  const dims = q.groupBy;
  const select = dims.map((d, i) => `${DIMENSION_SQL[d]} AS g${i}`);
  const sql = `SELECT ${[...select, 'sum(d.promoters)::int AS promoters', 'sum(d.passives)::int AS passives', 'sum(d.detractors)::int AS detractors', 'sum(d.comments)::int AS comments'].join(', ')}
    FROM nps_daily d WHERE ${where.sql}
    ${dims.length ? `GROUP BY ${dims.map((_, i) => `g${i}`).join(', ')} ORDER BY ${dims.map((_, i) => `g${i}`).join(', ')}` : ''}`;
  const { rows } = await pool.query<Record<string, unknown> & Counts>(sql, where.params);
  const groups = rows
    .map((r) => ({ key: Object.fromEntries(dims.map((d, i) => [d, String(r[`g${i}`])])), counts: r }))
    .filter((g) => g.counts.promoters + g.counts.passives + g.counts.detractors > 0);
  const total = groups.reduce<Counts>(
    (t, g) => ({
      promoters: t.promoters + g.counts.promoters,
      passives: t.passives + g.counts.passives,
      detractors: t.detractors + g.counts.detractors,
      comments: t.comments + g.counts.comments,
    }),
    { promoters: 0, passives: 0, detractors: 0, comments: 0 },
  );
  const out = dims.length ? groups.map((g) => figures(g.key, g.counts, minN)) : [];
  const totalRow = figures({}, total, minN);
  const { key: _unused, ...totalFigures } = totalRow;
  return { from: q.from, to: q.to, groupBy: dims, minN, rows: out, total: totalFigures };
}
