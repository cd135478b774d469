import { Readable } from 'node:stream';
import type { KaikuConfig } from '@kaiku/config';
import type { CsvDialect } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import { HttpProblem, zodProblem } from '@kaiku/http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { commentsReport } from '../reports/comments.report.ts';
import { funnelReport } from '../reports/funnel.report.ts';
import { npsReport } from '../reports/nps.report.ts';
import { commentsCsv, funnelCsv, npsCsv, targetsCsv } from '../reports/report-csv.ts';
import {
  FILTER_PARAMETERS,
  REPORT_PARAMETERS,
  type ReportEndpoint,
  type ReportQuery,
  reportQuerySchema,
  unitsInServices,
} from '../reports/report-query.ts';
import { responsesCsv } from '../reports/responses.export.ts';
import { targetsReport } from '../reports/targets.report.ts';

export interface ReportDeps {
  pool: Pool;
  kaiku: KaikuConfig;
}

export function parseReportQuery(endpoint: ReportEndpoint, query: unknown): ReportQuery {
  // A misspelt filter silently ignored would return the whole county's figures as if filtered.
  const takes: readonly string[] = REPORT_PARAMETERS[endpoint];
  const unknown = Object.keys((query ?? {}) as object).filter((k) => !takes.includes(k));
  if (unknown.length > 0) {
    const names = unknown.map((k) => JSON.stringify(k.slice(0, 40))).join(', ');
    const what = endpoint === 'responses' ? 'the responses export' : `the ${endpoint} report`;
    // The log names no unknown parameter: the name is the caller's own, and may be anything.
    throw new HttpProblem(
      400,
      'Invalid report query',
      `unknown parameter ${names}; ${what} takes ${takes.join(', ')}`,
      {
        errors: unknown.map((k) => ({ field: k.slice(0, 40), message: `is not a parameter of ${what}` })),
      },
      { loggedField: '(unknown-parameter)' },
    );
  }
  const q = reportQuerySchema.safeParse(query);
  if (!q.success) throw zodProblem(q.error, 'Invalid report query');
  if (endpoint === 'responses' && q.data.format !== 'csv' && (query as { format?: unknown }).format !== undefined) {
    throw new HttpProblem(400, 'Invalid report query', 'the responses export is CSV only: leave format out or set it to csv', {
      errors: [{ field: 'format', message: 'must be csv' }],
    });
  }
  return q.data;
}

/**
 * The filters a JSON report was counted under (those given with a value), said in the answer: an
 * empty one (`unit=`, as the contract's own template and the dashboard's "all" write it) filters
 * nothing, and a saved answer shows which it was.
 */
function withFilters<T extends object>(result: T, q: ReportQuery): T & { filters?: Partial<Record<string, string[]>> } {
  const filters = Object.fromEntries(FILTER_PARAMETERS.filter((k) => q[k].length > 0).map((k) => [k, q[k]]));
  return Object.keys(filters).length ? { ...result, filters } : result;
}

/**
 * A `unit` filter naming neither a unit of KAIKU_CONFIG nor one any visit came from is a typo (or
 * another system's id), not a unit with no answers: answered 400, as an unknown `service` is. A
 * unit taken out of the config keeps its reports (its visits are in the funnel's rollup).
 */
export async function assertUnitsKnown(deps: ReportDeps, units: readonly string[]): Promise<void> {
  const configured = new Set(deps.kaiku.units.map((u) => u.id));
  const others = units.filter((u) => !configured.has(u));
  if (others.length === 0) return;
  const { rows } = await deps.pool.query<{ unit_id: string }>(
    'SELECT DISTINCT unit_id FROM funnel_monthly WHERE unit_id = ANY($1::text[])',
    [others],
  );
  const seen = new Set(rows.map((r) => r.unit_id));
  const unknown = others.filter((u) => !seen.has(u));
  if (unknown.length === 0) return;
  const named = unknown.map((u) => JSON.stringify(u.slice(0, 80))).join(', ');
  throw new HttpProblem(400, 'Invalid report query', `unit ${named}: not a unit of KAIKU_CONFIG, and no visit of it has been received`, {
    errors: [{ field: 'unit', message: 'must be a unit of KAIKU_CONFIG or one visits have come from' }],
  });
}

/**
 * `bom`: starts with a UTF-8 byte order mark, for the dashboard's downloads, which people open in
 * Excel (without it Excel reads ä, ö and å as Windows-1252). The API's CSV has none: scripts read it.
 */
export function sendCsv(reply: FastifyReply, name: string, body: string | Readable, bom = false) {
  const payload = !bom ? body : typeof body === 'string' ? `\uFEFF${body}` : Readable.from(withBom(body));
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store')
    .send(payload);
}

async function* withBom(body: Readable) {
  yield '\uFEFF';
  yield* body;
}

/** Every report as JSON, or as CSV with `?format=csv`. */
export const REPORTS = {
  nps: { run: (d: ReportDeps, q: ReportQuery) => npsReport(d.pool, q, d.kaiku.reporting.minN, unitsInServices(d.kaiku)), csv: npsCsv },
  funnel: {
    run: (d: ReportDeps, q: ReportQuery) => funnelReport(d.pool, q, d.kaiku.reporting.minN, unitsInServices(d.kaiku)),
    csv: funnelCsv,
  },
  targets: { run: (d: ReportDeps, q: ReportQuery) => targetsReport(d.pool, q, d.kaiku), csv: targetsCsv },
  comments: { run: (d: ReportDeps, q: ReportQuery) => commentsReport(d.pool, q, d.kaiku.reporting.minN), csv: commentsCsv },
} as const;

export async function streamResponsesCsv(reply: FastifyReply, deps: ReportDeps, q: ReportQuery, bom = false, dialect?: CsvDialect) {
  const lines = responsesCsv(deps.pool, q, dialect);
  const first = await lines.next(); // a failure here is still answered as a problem
  async function* all() {
    if (!first.done) yield first.value;
    yield* lines;
  }
  return sendCsv(reply, `kaiku-responses-${q.from}-${q.to}.csv`, Readable.from(all()), bom);
}

export function registerReportRoutes(app: FastifyInstance, deps: ReportDeps) {
  for (const [name, report] of Object.entries(REPORTS)) {
    app.get(`/v1/reports/${name}`, async (request, reply) => {
      const q = parseReportQuery(name as ReportEndpoint, request.query);
      await assertUnitsKnown(deps, q.unit);
      // biome-ignore lint/suspicious/noExplicitAny: each entry pairs its own run and csv
      const result: any = await report.run(deps, q);
      if (q.format === 'csv') return sendCsv(reply, `kaiku-${name}-${q.from}-${q.to}.csv`, report.csv(result));
      return withFilters(result, q);
    });
  }
  app.get('/v1/exports/responses.csv', async (request, reply) => {
    const q = parseReportQuery('responses', request.query);
    await assertUnitsKnown(deps, q.unit);
    return streamResponsesCsv(reply, deps, q);
  });
}
