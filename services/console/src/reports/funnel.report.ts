import { type Nesting, shareOf, suppressSmallGroups } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import { DIMENSION_SQL, effectiveMinN, filterClause, type GroupDimension, type ReportQuery } from './report-query.ts';
import { rollupSource } from './rollup-source.ts';
import { reportNestings } from './unit-nesting.ts';

export interface FunnelFigures {
  received: number;
  eligible: number;
  skipped: Record<string, number>;
  cancelled: number;
  /** Texts Twilio refused for good without sending them (an invalid or non-mobile number). */
  failed: number;
  /**
   * Eligible, and not yet cancelled, failed or sent: waiting for its send time (quiet hours, the
   * next day's hour) or being sent (a support probe had to work it out as eligible − cancelled − sent).
   */
  waiting: number;
  sent: number;
  delivered: number;
  answered: number;
  commented: number;
  responseRate: number | null;
  commentShare: number | null;
}

type Key = Partial<Record<GroupDimension, string>>;

function emptyFunnel(): FunnelFigures {
  return {
    received: 0,
    eligible: 0,
    skipped: {},
    cancelled: 0,
    failed: 0,
    waiting: 0,
    sent: 0,
    delivered: 0,
    answered: 0,
    commented: 0,
    responseRate: null,
    commentShare: null,
  };
}

function finish(f: FunnelFigures): FunnelFigures {
  const skipped = Object.values(f.skipped).reduce((s, n) => s + n, 0);
  const ordered = Object.fromEntries(Object.entries(f.skipped).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
  const eligible = f.received - skipped;
  return {
    ...f,
    skipped: ordered,
    eligible,
    waiting: Math.max(0, eligible - f.cancelled - f.failed - f.sent),
    responseRate: shareOf(f.answered, f.delivered),
    commentShare: shareOf(f.commented, f.answered),
  };
}

async function groupedRollup(pool: Pool, q: ReportQuery, dims: readonly GroupDimension[], rollup: 'nps' | 'funnel') {
  const params: unknown[] = [];
  const source = rollupSource(rollup, q.from, q.to, dims.includes('week'), params);
  const where = filterClause(q, params);
  const keys = dims.map((d, i) => `${DIMENSION_SQL[d]} AS g${i}`);
  const extra = rollup === 'funnel' ? ['d.skip_reason AS skip_reason'] : [];
  const sums =
    rollup === 'funnel'
      ? [
          'sum(d.received)::int AS received',
          'sum(d.skipped)::int AS skipped',
          'sum(d.cancelled)::int AS cancelled',
          'sum(d.failed)::int AS failed',
        ]
      : [
          'sum(d.sent)::int AS sent',
          'sum(d.delivered)::int AS delivered',
          'sum(d.promoters + d.passives + d.detractors)::int AS answered',
          'sum(d.comments)::int AS commented',
        ];
  const groups = [...dims.map((_, i) => `g${i}`), ...(rollup === 'funnel' ? ['skip_reason'] : [])];
  const sql = `SELECT ${[...keys, ...extra, ...sums].join(', ')} FROM ${source} d WHERE true${where}
    ${groups.length ? `GROUP BY ${groups.join(', ')}` : ''}`;
  const { rows } = await pool.query<Record<string, string | number>>(sql, params);
  return rows.map((r) => ({ key: Object.fromEntries(dims.map((d, i) => [d, String(r[`g${i}`])])) as Key, r }));
}

/**
 * received → eligible (received − skipped) → cancelled / failed / waiting / sent → delivered → answered → commented, per visit
 * day; optionally also per group (rows with fewer than minN delivered texts suppressed).
 */
export async function funnelReport(pool: Pool, q: ReportQuery, configuredMinN: number, nesting?: Nesting) {
  const minN = effectiveMinN(q, configuredMinN);
  const dims = q.groupBy;
  const [funnelRows, npsRows, nestings] = await Promise.all([
    groupedRollup(pool, q, dims, 'funnel'),
    groupedRollup(pool, q, dims, 'nps'),
    reportNestings(pool, q, nesting),
  ]);
  const byKey = new Map<string, { key: Key; f: FunnelFigures }>();
  const entry = (key: Key) => {
    const id = JSON.stringify(dims.map((d) => key[d]));
    let e = byKey.get(id);
    if (!e) {
      e = { key, f: emptyFunnel() };
      byKey.set(id, e);
    }
    return e.f;
  };
  const total = emptyFunnel();
  for (const { key, r } of funnelRows) {
    for (const f of [entry(key), total]) {
      f.received += Number(r.received);
      f.cancelled += Number(r.cancelled);
      f.failed += Number(r.failed);
      const skipped = Number(r.skipped);
      if (skipped) f.skipped[String(r.skip_reason)] = (f.skipped[String(r.skip_reason)] ?? 0) + skipped;
    }
  }
  for (const { key, r } of npsRows) {
    for (const f of [entry(key), total]) {
      f.sent += Number(r.sent);
      f.delivered += Number(r.delivered);
      f.answered += Number(r.answered);
      f.commented += Number(r.commented);
    }
  }
  const report = { from: q.from, to: q.to, ...finish(total), groupBy: dims, minN };
  if (!dims.length) return report;
  const groups = [...byKey.values()]
    .filter((g) => g.f.received + g.f.sent + g.f.delivered + g.f.answered > 0)
    .sort((a, b) => JSON.stringify(dims.map((d) => a.key[d])).localeCompare(JSON.stringify(dims.map((d) => b.key[d]))));
  // A group no text reached (minors, all skipped) has no response rate to protect, and adds
  // nothing to any line's sum: it is shown, and takes no part in the suppression (as a small group
  // it hid a large one beside it as its complement).
  const texted = groups.filter((g) => g.f.delivered > 0);
  const marks = suppressSmallGroups(
    texted.map((g) => ({ key: g.key as Record<string, string>, n: g.f.delivered })),
    dims,
    minN,
    nestings,
  );
  const markOf = new Map(texted.map((g, i) => [g, marks.cells[i] ?? null]));
  const rows = groups.map((g) => {
    const mark = markOf.get(g) ?? null;
    if (mark) return { key: g.key, delivered: g.f.delivered, suppressed: true, suppression: mark };
    return { key: g.key, ...finish(g.f), suppressed: false };
  });
  return { ...report, rows };
}
export type FunnelReport = Awaited<ReturnType<typeof funnelReport>>;
