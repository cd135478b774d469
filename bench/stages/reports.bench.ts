import pg from 'pg';
import type { BenchContext } from '../lib/context.ts';
import { CONSOLE_TOKEN } from '../lib/fake-visits.ts';
import { urlOf } from '../lib/kaiku-services.ts';
import { percentile, timeSequential } from '../lib/load.ts';
import { notAvailable, row } from '../lib/results.ts';
import { seedResponses } from '../lib/seed-responses.ts';
import type { Flow } from './pipeline.bench.ts';

const FROM = '2025-01-01';
const TO = '2025-12-31';

async function getJson(url: string) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${CONSOLE_TOKEN}` } });
  const body = await res.text();
  if (!res.ok) throw Object.assign(new Error(`${url} answered ${res.status}: ${body.slice(0, 200)}`), { status: res.status });
  return body;
}

/** Reports over 10 million responses (COPY-seeded, with their nps_daily rollup) next to the pipeline's data. */
export async function runReports(ctx: BenchContext, flow: Flow): Promise<void> {
  const count = ctx.quick ? 200_000 : 10_000_000;
  const t = performance.now();
  const seeded = await seedResponses(flow.databaseUrl, count);
  const seedSeconds = (performance.now() - t) / 1000;
  ctx.log(`seeded ${count} responses and ${seeded.rollupRows} nps_daily rows in ${seedSeconds.toFixed(1)} s`);
  ctx.details.reportsSeed = { ...seeded, seconds: seedSeconds };
  const runs = ctx.quick ? 30 : 200;
  const base = urlOf(flow.ports.console);
  const sizeNote = `${(count / 1e6).toLocaleString('en-US')} M responses, ${seeded.rollupRows.toLocaleString('en-US')} nps_daily rows`;

  // the bound: the same aggregation straight from Postgres
  const pool = new pg.Pool({ connectionString: flow.databaseUrl, max: 1 });
  let boundP95: number | null = null;
  try {
    const sums = 'sum(promoters)::int, sum(passives)::int, sum(detractors)::int, sum(comments)::int';
    const monthly = `SELECT unit_id, month, ${sums} FROM nps_monthly WHERE month BETWEEN $1 AND $2 GROUP BY 1, 2 ORDER BY 1, 2`;
    const daily = `SELECT unit_id, to_char(day, 'YYYY-MM') AS month, ${sums} FROM nps_daily WHERE day BETWEEN $1 AND $2 GROUP BY 1, 2 ORDER BY 1, 2`;
    const hasMonthly = (await pool.query("SELECT to_regclass('nps_monthly') IS NOT NULL AS ok")).rows[0]?.ok === true;
    const dailyP95 = percentile(await timeSequential(() => pool.query(daily, [FROM, TO]), Math.min(runs, 50)), 95);
    ctx.rows.push(row('raw: unit × month GROUP BY on nps_daily (pg), p95', dailyP95, 'ms', { direction: 'lower' }));
    boundP95 = dailyP95;
    if (hasMonthly) {
      boundP95 = percentile(await timeSequential(() => pool.query(monthly, [FROM, TO]), runs), 95);
      ctx.rows.push(row('raw: unit × month GROUP BY on nps_monthly (pg), p95', boundP95, 'ms', { direction: 'lower' }));
    }
    const overResponses = await timeSequential(
      () =>
        pool.query(
          `SELECT unit_id, visit_month, count(*) FILTER (WHERE score >= 9), count(*) FILTER (WHERE score <= 6), count(*)
           FROM responses WHERE visit_day BETWEEN $1 AND $2 GROUP BY 1, 2`,
          [FROM, TO],
        ),
      2,
      0,
    );
    ctx.rows.push(
      row('info: that GROUP BY over responses instead (no rollup)', percentile(overResponses, 50), 'ms', { direction: 'lower' }),
    );
  } finally {
    await pool.end();
  }

  const npsUrl = `${base}/v1/reports/nps?from=${FROM}&to=${TO}&groupBy=unit,month`;
  const first = JSON.parse(await getJson(npsUrl)) as { rows?: unknown[] };
  const nps = await timeSequential(() => getJson(npsUrl), runs);
  ctx.rows.push(
    row('reports: NPS 12 months grouped by unit,month, p95', percentile(nps, 95), 'ms', {
      bound: boundP95,
      boundWhat: 'the GROUP BY in pg',
      direction: 'lower',
      target: 100,
      note: `${sizeNote}; ${first.rows?.length ?? 0} rows; p50 ${percentile(nps, 50).toFixed(1)} ms`,
    }),
  );

  const funnelUrl = `${base}/v1/reports/funnel?from=2024-01-01&to=2100-12-31`;
  try {
    await getJson(funnelUrl);
    const funnel = await timeSequential(() => getJson(funnelUrl), runs);
    ctx.rows.push(
      row('reports: funnel, p95', percentile(funnel, 95), 'ms', {
        direction: 'lower',
        target: 100,
        note: `${sizeNote}; ${flow.visits.toLocaleString('en-US')} visits; p50 ${percentile(funnel, 50).toFixed(1)} ms`,
      }),
    );
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    ctx.rows.push(notAvailable('reports: funnel, p95', 'ms', '< 100 ms', 'GET /v1/reports/funnel answers 404'));
  }
}
