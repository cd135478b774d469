import { type CsvDialect, csvLine, maskPersonalData, scoreBand } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import type { ReportQuery } from './report-query.ts';

/** The contract's columns first, then extras. Documented in README "Reports and the dashboard". */
export const RESPONSE_COLUMNS = [
  'unit_id',
  'service',
  'visit_month',
  'age_band',
  'language',
  'source',
  'score',
  'comment',
  'score_band',
  'answer_language',
] as const;

const BATCH = 5000;

/**
 * One CSV line per response in the period (by visit day), streamed in keyset-paged batches so a
 * year of answers never sits in memory. No identifiers, no days or times: month and age band only.
 */
export async function* responsesCsv(pool: Pool, q: ReportQuery, dialect?: CsvDialect): AsyncGenerator<string> {
  // The header goes out with the first page, so that a query that fails at once fails before
  // anything is sent (and is answered as an error, not as an export cut short).
  let chunk = csvLine(RESPONSE_COLUMNS, dialect);
  const params: unknown[] = [q.from, q.to];
  const filters: string[] = [];
  const filter = (values: string[], column: string) => {
    if (!values.length) return;
    params.push(values);
    filters.push(`AND ${column} = ANY($${params.length}::text[])`);
  };
  filter(q.unit, 'r.unit_id');
  filter(q.service, 'r.service');
  filter(q.language, 'v.language');
  filter(q.ageBand, `coalesce(r.age_band, 'unknown')`);
  filter(q.source, 'r.source');
  const n = params.length;
  let after: { day: string; id: string } | null = null;
  for (;;) {
    const page: unknown[] = [...params, after?.day ?? '0001-01-01', after?.id ?? '00000000-0000-0000-0000-000000000000', BATCH];
    const { rows } = await pool.query<{
      id: string;
      visit_day: string;
      unit_id: string;
      service: string;
      visit_month: string;
      age_band: string | null;
      language: string;
      source: string;
      score: number;
      comment: string | null;
      answer_language: string;
    }>(
      `SELECT r.id, r.visit_day, r.unit_id, r.service, r.visit_month, r.age_band, v.language, r.source, r.score, r.comment,
              r.language AS answer_language
       FROM responses r JOIN invitations i ON i.id = r.invitation_id JOIN visits v ON v.id = i.visit_id
       WHERE r.visit_day BETWEEN $1::date AND $2::date ${filters.join(' ')}
         AND (r.visit_day, r.id) > ($${n + 1}::date, $${n + 2}::uuid)
       ORDER BY r.visit_day, r.id LIMIT $${n + 3}`,
      page,
    );
    if (rows.length === 0) {
      if (chunk) yield chunk;
      return;
    }
    for (const r of rows) {
      chunk += csvLine(
        [
          r.unit_id,
          r.service,
          r.visit_month,
          r.age_band ?? 'unknown',
          r.language,
          r.source,
          r.score,
          r.comment ? maskPersonalData(r.comment) : '',
          scoreBand(r.score),
          r.answer_language,
        ],
        dialect,
      );
    }
    yield chunk;
    chunk = '';
    const last = rows[rows.length - 1] as (typeof rows)[number];
    after = { day: last.visit_day, id: last.id };
    if (rows.length < BATCH) return;
  }
}
