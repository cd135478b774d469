import { type CsvDialect, type CsvValue, SKIP_REASONS, toCsv } from '@kaiku/core';
import type { CommentsReport } from './comments.report.ts';
import type { FunnelFigures, FunnelReport } from './funnel.report.ts';
import type { NpsFiguresRow, NpsReport } from './nps.report.ts';
import type { GroupDimension } from './report-query.ts';
import type { TargetsReport } from './targets.report.ts';

const COLUMN: Record<GroupDimension, string> = {
  unit: 'unit_id',
  service: 'service',
  month: 'month',
  week: 'week',
  ageBand: 'age_band',
  language: 'language',
  source: 'source',
};

/** `level` is `group` for a row and `total` for the total; a suppressed row has empty figures. */
export function npsCsv(r: NpsReport, dialect?: CsvDialect): string {
  const header = [
    'level',
    ...r.groupBy.map((d) => COLUMN[d]),
    'n',
    'promoters',
    'passives',
    'detractors',
    'promoter_share',
    'passive_share',
    'detractor_share',
    'nps',
    'ci95_low',
    'ci95_high',
    'comment_share',
    'suppressed',
  ];
  const line = (level: string, key: Partial<Record<GroupDimension, string>>, f: NpsFiguresRow): CsvValue[] => [
    level,
    ...r.groupBy.map((d) => key[d]),
    f.n,
    f.promoters,
    f.passives,
    f.detractors,
    f.shares?.promoters,
    f.shares?.passives,
    f.shares?.detractors,
    f.nps,
    f.ci95?.[0],
    f.ci95?.[1],
    f.commentShare,
    f.suppressed,
  ];
  return toCsv(header, [...r.rows.map((row) => line('group', row.key, row)), line('total', {}, r.total)], dialect);
}

/**
 * One column per funnel stage; skipped reasons as `skipped_<reason>` columns, every reason of the
 * contract in its order whether it occurred or not (each period's file has the same columns), then
 * any other reason stored (one no longer given).
 */
export function funnelCsv(r: FunnelReport, dialect?: CsvDialect): string {
  const groupRows = 'rows' in r ? r.rows : [];
  const known = new Set<string>(SKIP_REASONS);
  const others = [
    ...new Set([...Object.keys(r.skipped), ...groupRows.flatMap((row) => ('skipped' in row ? Object.keys(row.skipped) : []))]),
  ].filter((x) => !known.has(x));
  const reasons = [...SKIP_REASONS, ...others.sort()];
  const header = [
    'level',
    ...r.groupBy.map((d) => COLUMN[d]),
    'received',
    'eligible',
    ...reasons.map((x) => `skipped_${x}`),
    'cancelled',
    'failed',
    'waiting',
    'sent',
    'delivered',
    'answered',
    'commented',
    'response_rate',
    'comment_share',
    'suppressed',
  ];
  const line = (
    level: string,
    key: Partial<Record<GroupDimension, string>>,
    f: Partial<FunnelFigures> & { delivered: number },
    suppressed: boolean,
  ) => [
    level,
    ...r.groupBy.map((d) => key[d]),
    f.received,
    f.eligible,
    ...reasons.map((x) => (f.skipped ? (f.skipped[x] ?? 0) : undefined)),
    f.cancelled,
    f.failed,
    f.waiting,
    f.sent,
    f.delivered,
    f.answered,
    f.commented,
    f.responseRate,
    f.commentShare,
    suppressed,
  ];
  return toCsv(header, [...groupRows.map((row) => line('group', row.key, row, row.suppressed)), line('total', {}, r, false)], dialect);
}

export function targetsCsv(r: TargetsReport, dialect?: CsvDialect): string {
  const header = Object.keys(r);
  return toCsv(header, [Object.values(r) as CsvValue[]], dialect);
}

export function commentsCsv(r: CommentsReport, dialect?: CsvDialect): string {
  return toCsv(
    ['unit_id', 'month', 'score_band', 'comment', 'language'],
    r.comments.map((c) => [c.unit, c.month, c.scoreBand, c.comment, c.language]),
    dialect,
  );
}
