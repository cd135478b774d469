import type { BenchContext } from '../lib/context.ts';
import { phone } from '../lib/fake-visits.ts';
import { load } from '../lib/load.ts';
import { row } from '../lib/results.ts';
import { type Flow, inboundRequest, replyText } from './pipeline.bench.ts';

/** Signed inbound webhooks from patients with a sent invitation (those the pipeline left unanswered). */
export async function runReplies(ctx: BenchContext, flow: Flow): Promise<void> {
  const patients = flow.sent.slice(flow.answered);
  if (patients.length === 0) throw new Error('no patient with a sent invitation is left to answer');
  let k = 0;
  const span = patients.length;
  const request = () => {
    const i = patients[k++ % span] as number;
    return inboundRequest(flow.ports, phone(i), replyText(i), `r${flow.tag}`);
  };
  const first = request();
  const base = new URL(first.url);
  // autocannon sends one header set per request definition; the signature changes per body, so
  // the body generator also sets the header through setupRequest.
  const opts = { url: base.origin, path: base.pathname, connections: 50 };
  const run = (seconds: number, overallRate?: number) =>
    load({
      ...opts,
      seconds,
      ...(overallRate ? { overallRate } : {}),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      bodyWithHeaders: () => {
        const r = request();
        return { body: r.body, headers: r.headers };
      },
    });
  await run(ctx.warmupSeconds);
  const sat = await run(ctx.seconds);
  ctx.rows.push(
    row('replies: signed inbound webhooks, 50 conns', sat.rps, 'req/s', {
      bound: ctx.bounds.bareRps ?? null,
      boundWhat: 'bare route',
      target: 3000,
      note: `p99 ${sat.p99} ms; status ${JSON.stringify(sat.statusCodes)}; ${span} distinct patients`,
    }),
  );
  const fixed = await run(ctx.seconds, 3000);
  ctx.rows.push(
    row('replies: p99 at 3,000 webhooks/s', fixed.p99, 'ms', {
      bound: ctx.bounds.bareP99At1000 ?? null,
      boundWhat: 'bare route p99 at 1,000/s',
      direction: 'lower',
      target: 25,
      note: `achieved ${Math.round(fixed.rps)} req/s, p50 ${fixed.p50} ms`,
    }),
  );
  ctx.details.replies = { saturated: sat, at3000: fixed };
}
