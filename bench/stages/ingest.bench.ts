import pg from 'pg';
import type { BenchContext } from '../lib/context.ts';
import { cpuBetween, cpuPerItem, cpuSnapshot } from '../lib/cpu.ts';
import { anHourAgo, hl7A03, TOKENS, visitEvent } from '../lib/fake-visits.ts';
import { allocatePorts, startKaiku, urlOf } from '../lib/kaiku-services.ts';
import { lanes, load, percentile } from '../lib/load.ts';
import { mllpLoad } from '../lib/mllp-client.ts';
import { notAvailable, row } from '../lib/results.ts';

async function mllpListening(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Waits until the outbox relay has moved every row to the queue, so that a stage is not measured
 * while the relay still works off the previous stage's visits (100,000 after the batch stage) in
 * the same process. Returns the seconds it took.
 */
async function outboxDrained(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = performance.now();
  try {
    for (;;) {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
      if (rows[0]?.n === 0) return (performance.now() - started) / 1000;
      if (performance.now() - started > 180_000) throw new Error(`the outbox still holds ${rows[0]?.n} rows after 180 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await client.end();
  }
}

/** Ingest: single canonical events, p99 at a fixed 1,000 req/s, the batch endpoint, HL7 over HTTP and MLLP. */
export async function runIngest(ctx: BenchContext): Promise<void> {
  const databaseUrl = await ctx.env.newDatabase('ingest');
  await ctx.env.clearQueues();
  const ports = await allocatePorts();
  const kaiku = await startKaiku(ctx, databaseUrl, ports, ['ingest']);
  const base = urlOf(ports.ingest);
  const s = ctx.seconds;
  const tag = `i${ctx.env.runId}`;
  let n = 0;
  const BATCH = ctx.quick ? 250 : 1000;
  try {
    const endedAt = anHourAgo();
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.lifecare}` };
    const single = () => JSON.stringify(visitEvent(tag, n++, endedAt));

    // single events, saturated, 50 connections
    await load({ url: base, path: '/v1/visits', headers, body: single, connections: 50, seconds: ctx.warmupSeconds });
    const sat = await load({ url: base, path: '/v1/visits', headers, body: single, connections: 50, seconds: s });
    const scheduled = sat.statusCodes['201'] ?? 0;
    ctx.rows.push(
      row('ingest: single canonical event, 50 conns', sat.rps, 'req/s', {
        bound: ctx.bounds.bareRps ?? null,
        boundWhat: 'bare route',
        targetText: '≥ 40 % of bound',
        note: `p99 ${sat.p99} ms; ${scheduled} of ${sat.total} answered 201 scheduled${sat.non2xx ? `, ${sat.non2xx} non-2xx` : ''}`,
      }),
    );
    const ratioRow = ctx.rows.at(-1);
    if (ratioRow && ratioRow.ratio !== null) ratioRow.met = ratioRow.ratio >= 0.4;

    // p99 at a fixed offered load of 1,000 req/s
    const drainedBeforeFixed = await outboxDrained(databaseUrl);
    const fixed = await load({ url: base, path: '/v1/visits', headers, body: single, connections: 50, seconds: s, overallRate: 1000 });
    ctx.rows.push(
      row('ingest: p99 at 1,000 req/s', fixed.p99, 'ms', {
        bound: ctx.bounds.bareP99At1000 ?? null,
        direction: 'lower',
        target: 20,
        note: `achieved ${Math.round(fixed.rps)} req/s, p50 ${fixed.p50} ms; outbox drained ${drainedBeforeFixed.toFixed(1)} s before`,
      }),
    );
    ctx.details.ingestSingle = { saturated: sat, at1000: fixed };

    // the batch endpoint: arrays of 1,000 on 4 connections, until the window closes (the last
    // requests are waited for and counted: a batch takes long enough that cutting it off would lie)
    const batchRun = async (seconds: number) => {
      let visits = 0;
      let failed = '';
      const latencies: number[] = [];
      const t = performance.now();
      const deadline = t + seconds * 1000;
      await lanes(4, async () => {
        const body = JSON.stringify(Array.from({ length: BATCH }, () => visitEvent(tag, n++, endedAt)));
        const t1 = performance.now();
        const res = await fetch(`${base}/v1/visits`, { method: 'POST', headers, body });
        const text = await res.text();
        latencies.push(performance.now() - t1);
        if (res.ok) visits += BATCH;
        else failed ||= `${res.status} ${text.slice(0, 160)}`;
        return performance.now() < deadline;
      });
      return { rate: visits / ((performance.now() - t) / 1000), visits, failed, p99: percentile(latencies, 99) };
    };
    await outboxDrained(databaseUrl);
    await batchRun(ctx.warmupSeconds);
    const batchCpuBefore = cpuSnapshot(ctx.sampler.tracked());
    const b = await batchRun(s);
    const batchCpu = cpuBetween(batchCpuBefore, cpuSnapshot(ctx.sampler.tracked()));
    ctx.rows.push(
      row(`ingest: batch endpoint (${BATCH.toLocaleString('en-US')} per request), 4 conns`, b.rate, 'visits/s', {
        bound: ctx.bounds.pgBatchRowsPerSec ?? null,
        boundWhat: 'pg 1,000-row INSERT',
        target: 10_000,
        note: `${b.visits} visits; p99 per request ${Math.round(b.p99)} ms; ms of CPU per visit: ${cpuPerItem(batchCpu, b.visits)}; both cores ${Math.round(batchCpu.machineBusy * 100)} % busy${b.failed ? `; failed: ${b.failed}` : ''}`,
      }),
    );
    ctx.details.ingestBatch = b;

    // HL7 v2 over HTTP (no target; for comparison with MLLP)
    const hl7Path = '/v1/sources/lifecare/hl7';
    const drainedBeforeHl7 = await outboxDrained(databaseUrl);
    const probe = await fetch(`${base}${hl7Path}`, {
      method: 'POST',
      headers: { 'content-type': 'x-application/hl7-v2+er7', authorization: `Bearer ${TOKENS.lifecare}` },
      body: hl7A03(tag, n++, new Date(Date.now() - 3600_000)),
    });
    if (probe.status === 404) {
      ctx.rows.push(notAvailable('ingest: HL7 over HTTP, 10 conns', 'msg/s', '–', `${hl7Path} answers 404`));
    } else {
      const ended = new Date(Date.now() - 3600_000);
      const h = await load({
        url: base,
        path: hl7Path,
        headers: { 'content-type': 'x-application/hl7-v2+er7', authorization: `Bearer ${TOKENS.lifecare}` },
        body: () => hl7A03(tag, n++, ended),
        connections: 10,
        seconds: s,
      });
      ctx.rows.push(
        row('ingest: HL7 over HTTP, 10 conns', h.rps, 'msg/s', {
          note: `p99 ${h.p99} ms; status ${JSON.stringify(h.statusCodes)}; outbox drained ${drainedBeforeHl7.toFixed(1)} s before`,
        }),
      );
    }

    // HL7 over MLLP, 10 connections
    if (!(await mllpListening(ports.mllp))) {
      ctx.rows.push(notAvailable('ingest: HL7 over MLLP, 10 conns', 'msg/s', '≥ 3,000 msg/s', `nothing listens on MLLP_PORT`));
    } else {
      const drainedBeforeMllp = await outboxDrained(databaseUrl);
      const ended = new Date(Date.now() - 3600_000);
      await mllpLoad(ports.mllp, 10, ctx.warmupSeconds, () => hl7A03(tag, n++, ended));
      const cpuBefore = cpuSnapshot(ctx.sampler.tracked());
      const m = await mllpLoad(ports.mllp, 10, s, () => hl7A03(tag, n++, ended));
      const cpu = cpuBetween(cpuBefore, cpuSnapshot(ctx.sampler.tracked()));
      ctx.rows.push(
        row('ingest: HL7 over MLLP, 10 conns', m.rate, 'msg/s', {
          bound: ctx.bounds.tcpEchoPerSec ?? null,
          boundWhat: 'TCP echo',
          target: 3000,
          note: `outbox drained ${drainedBeforeMllp.toFixed(1)} s before; ms of CPU per message: ${cpuPerItem(cpu, m.accepted + m.other)}; both cores ${Math.round(cpu.machineBusy * 100)} % busy${m.other ? `; ${m.other} not AA/CA, first: ${JSON.stringify(m.firstOther.slice(0, 160))}` : ''}`,
        }),
      );
      ctx.details.mllp = { rate: m.rate, accepted: m.accepted, other: m.other };
    }
  } finally {
    await kaiku.stopAll();
  }
}
