import { Redis } from 'ioredis';
import pg from 'pg';
import type { BenchContext } from '../lib/context.ts';
import { anHourAgo, hl7A03, visitEvent } from '../lib/fake-visits.ts';
import { lanes, load } from '../lib/load.ts';
import { mllpLoad } from '../lib/mllp-client.ts';
import { row } from '../lib/results.ts';
import { freePort, spawnNode } from '../lib/services.ts';

/** Rows per second that `fn` achieves on `concurrency` lanes for `seconds`. */
async function rate(concurrency: number, seconds: number, fn: () => Promise<number>): Promise<number> {
  let done = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await lanes(concurrency, async () => {
    const rows = await fn(); // not `done += await fn()`: that reads `done` before the await
    done += rows;
    return performance.now() < deadline;
  });
  return done / ((performance.now() - started) / 1000);
}

/** The raw building blocks, measured in the same run as the stages. */
export async function runRaw(ctx: BenchContext): Promise<void> {
  const databaseUrl = await ctx.env.newDatabase('raw');
  const s = ctx.seconds;

  // 1. a bare Fastify route: one pg INSERT + one Redis command, under autocannon (50 connections)
  const port = await freePort();
  const bare = await spawnNode({
    name: 'bare-route',
    script: 'bench/raw/bare-route.ts',
    env: { DATABASE_URL: databaseUrl, REDIS_URL: ctx.env.redisUrl, PORT: String(port), PREFIX: ctx.env.prefix },
    sampler: ctx.sampler,
    readyUrl: `http://127.0.0.1:${port}/healthz`,
  });
  try {
    const endedAt = anHourAgo();
    let n = 0;
    const body = () => JSON.stringify(visitEvent(`bare${ctx.env.runId}`, n++, endedAt));
    const common = { url: `http://127.0.0.1:${port}`, path: '/v1/visits', headers: { 'content-type': 'application/json' }, body };
    await load({ ...common, connections: 50, seconds: ctx.warmupSeconds });
    const sat = await load({ ...common, connections: 50, seconds: s });
    ctx.bounds.bareRps = sat.rps;
    ctx.rows.push(row('raw: bare route (pg INSERT + Redis INCR), 50 conns', sat.rps, 'req/s', { note: `p99 ${sat.p99} ms` }));
    const fixed = await load({ ...common, connections: 50, seconds: s, overallRate: 1000 });
    ctx.bounds.bareP99At1000 = fixed.p99;
    ctx.rows.push(row('raw: bare route p99 at 1,000 req/s', fixed.p99, 'ms', { direction: 'lower' }));
    ctx.details.bareRoute = { saturated: sat, at1000: fixed };
  } finally {
    await bare.stop();
  }

  // 2. raw pg: single-row INSERTs (autocommit) on 10 connections, and 1,000-row INSERTs
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  try {
    await pool.query(
      'CREATE TABLE bench_raw (id bigserial PRIMARY KEY, source text NOT NULL, visit_id text NOT NULL, body jsonb NOT NULL)',
    );
    const payload = JSON.stringify(visitEvent('raw', 1, anHourAgo()));
    let i = 0;
    const single = await rate(50, s, async () => {
      await pool.query('INSERT INTO bench_raw (source, visit_id, body) VALUES ($1, $2, $3)', ['lifecare', `R${i++}`, payload]);
      return 1;
    });
    ctx.bounds.pgInsertsPerSec = single;
    ctx.rows.push(row('raw: pg single-row INSERT, 10 conns', single, 'rows/s'));
    const batch = await rate(4, s, async () => {
      const ids = Array.from({ length: 1000 }, () => `B${i++}`);
      await pool.query(`INSERT INTO bench_raw (source, visit_id, body) SELECT 'lifecare', v, $2::jsonb FROM unnest($1::text[]) AS v`, [
        ids,
        payload,
      ]);
      return 1000;
    });
    ctx.bounds.pgBatchRowsPerSec = batch;
    ctx.rows.push(row('raw: pg 1,000-row INSERT, 4 conns', batch, 'rows/s'));
  } finally {
    await pool.end();
  }

  // 3. raw Redis: INCR from 50 concurrent callers on one connection
  const redis = new Redis(ctx.env.redisUrl);
  try {
    const key = `${ctx.env.prefix}:raw`;
    const ops = await rate(50, s, async () => {
      await redis.incr(key);
      return 1;
    });
    ctx.bounds.redisOpsPerSec = ops;
    ctx.rows.push(row('raw: Redis INCR, 50 callers', ops, 'ops/s'));
  } finally {
    redis.disconnect();
  }

  // 4. raw TCP echo of MLLP frames, 10 connections, the same client as the MLLP stage
  const echoPort = await freePort();
  const echo = await spawnNode({
    name: 'tcp-echo',
    script: 'bench/raw/tcp-echo.ts',
    env: { PORT: String(echoPort) },
    sampler: ctx.sampler,
    readyPort: echoPort,
  });
  try {
    const endedAt = new Date(Date.now() - 3600_000);
    const r = await mllpLoad(echoPort, 10, s, (k) => hl7A03('echo', k, endedAt));
    ctx.bounds.tcpEchoPerSec = r.rate;
    ctx.rows.push(row('raw: TCP echo of MLLP frames, 10 conns', r.rate, 'msg/s'));
  } finally {
    await echo.stop();
  }
}
