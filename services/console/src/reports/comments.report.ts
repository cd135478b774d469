import { maskPersonalData, scoreBand } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import { answerCounts } from './nps.report.ts';
import { effectiveMinN, type ReportQuery } from './report-query.ts';

export interface CommentRow {
  unit: string;
  month: string;
  scoreBand: 'promoter' | 'passive' | 'detractor';
  comment: string;
  /** The language the patient gave the score in (fi, sv or en); a reason written after a switch keeps it. */
  language: string;
}

/**
 * Recent open feedback, masked, with its score band, unit and month only — and only from unit
 * months that have at least minN answers under the same filters (so no comment can be tied to a
 * small group of people). The other filters narrow the list but are not shown with it.
 */
export async function commentsReport(pool: Pool, q: ReportQuery, configuredMinN: number) {
  const minN = effectiveMinN(q, configuredMinN);
  const groups = await answerCounts(pool, q, ['unit', 'month']);
  const allowed = groups.filter((g) => g.counts.promoters + g.counts.passives + g.counts.detractors >= minN);
  // Unit-months with answers but fewer than minN: their comments are held back (the count only, as
  // the NPS report shows a hidden row's n), so that an empty list does not read as "no comments"
  // (a support probe: the dashboard said so beside a funnel of two answers with reasons).
  const withheldUnitMonths = groups.length - allowed.length;
  const base = { from: q.from, to: q.to, minN, limit: q.limit, offset: q.offset, withheldUnitMonths };
  if (allowed.length === 0) return { ...base, comments: [] as CommentRow[] };

  const params: unknown[] = [q.from, q.to, allowed.map((g) => g.key.unit), allowed.map((g) => g.key.month)];
  const filters: string[] = [];
  const filter = (values: string[], column: string) => {
    if (!values.length) return;
    params.push(values);
    filters.push(`${column} = ANY($${params.length}::text[])`);
  };
  filter(q.unit, 'r.unit_id');
  filter(q.service, 'r.service');
  filter(q.ageBand, `coalesce(r.age_band, 'unknown')`);
  filter(q.source, 'r.source');
  // The reports' language is the visit's; the response row has the language the patient answered in.
  const visitLanguage = q.language.length > 0;
  filter(q.language, 'v.language');
  params.push(q.limit, q.offset);
  const sql = `SELECT r.unit_id, r.visit_month, r.score, r.comment, r.language FROM responses r
    ${visitLanguage ? 'JOIN invitations i ON i.id = r.invitation_id JOIN visits v ON v.id = i.visit_id' : ''}
    WHERE r.comment IS NOT NULL AND r.comment <> '' AND r.visit_day BETWEEN $1::date AND $2::date
      AND (r.unit_id, r.visit_month) IN (SELECT * FROM unnest($3::text[], $4::text[]))
      ${filters.map((f) => `AND ${f}`).join(' ')}
    ORDER BY r.visit_day DESC, r.answered_at DESC, r.id
    LIMIT $${params.length - 1} OFFSET $${params.length}`;
  const { rows } = await pool.query<{ unit_id: string; visit_month: string; score: number; comment: string; language: string }>(
    sql,
    params,
  );
  return {
    ...base,
    comments: rows.map(
      (r): CommentRow => ({
        unit: r.unit_id,
        month: r.visit_month,
        scoreBand: scoreBand(r.score),
        comment: maskPersonalData(r.comment),
        language: r.language,
      }),
    ),
  };
}
export type CommentsReport = Awaited<ReturnType<typeof commentsReport>>;
