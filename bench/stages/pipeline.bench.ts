import pg from 'pg';
import type { BenchContext } from '../lib/context.ts';
import { cpuBetween, cpuPerItem, cpuSnapshot } from '../lib/cpu.ts';
import {
  AUTH_TOKEN,
  anHourAgo,
  CONSOLE_TOKEN,
  inboundForm,
  messageSid,
  phone,
  TOKENS,
  twilioSignature,
  visitEvent,
} from '../lib/fake-visits.ts';
import type { Ports } from '../lib/kaiku-services.ts';
import { urlOf } from '../lib/kaiku-services.ts';
import { lanes } from '../lib/load.ts';
import { notAvailable, row } from '../lib/results.ts';
import { twilioStandInBound } from './pipeline-twilio-bound.ts';

const BATCH = 1000;
const DONE = "('sent','delivered','undelivered','failed','unknown','answered','completed','expired')";

export interface Flow {
  databaseUrl: string;
  ports: Ports;
  tag: string;
  /** Visits to ingest, and how many of their patients answer (a quarter). */
  visits: number;
  answers: number;
  /** Filled by the pipeline: visit indices whose invitation was sent, and those answered. */
  sent: number[];
  answered: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmtS = (s: number | undefined) => (s === undefined ? '–' : `${s.toFixed(1)} s`);
/** The bench's sending.concurrency (fake-visits.ts writeKaikuConfig). */
const SENDER_CONCURRENCY = 100;

/** Outbox rows, invitations sent (or further), still to send, and texts settled by a delivery callback. */
async function progress(pool: pg.Pool) {
  // one pass over invitations: the watching itself takes CPU from the pipeline it measures
  const { rows } = await pool.query<{ outbox: number; done: number; waiting: number; settled: number }>(
    `SELECT (SELECT count(*) FROM outbox)::int AS outbox,
            count(*) FILTER (WHERE status IN ${DONE})::int AS done,
            count(*) FILTER (WHERE status IN ('scheduled', 'sending'))::int AS waiting,
            count(*) FILTER (WHERE delivery_status IN ('delivered', 'undelivered'))::int AS settled
       FROM invitations`,
  );
  return rows[0] as { outbox: number; done: number; waiting: number; settled: number };
}

/** Signed inbound-SMS webhook, straight to the replies service (as Twilio would post it). */
export function inboundRequest(ports: Ports, from: string, body: string, tag: string) {
  const url = `${urlOf(ports.replies)}/v1/twilio/inbound`;
  const form = inboundForm(from, body, messageSid(tag));
  return {
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(AUTH_TOKEN, url, form) },
    body: new URLSearchParams(form).toString(),
  };
}

/** Half answer with a score only, half with a score and a reason in one message. */
export const replyText = (i: number) => (i % 2 === 0 ? `${i % 11} hyvä palvelu` : `${i % 11}`);

export async function reportTotal(ports: Ports): Promise<number> {
  const res = await fetch(`${urlOf(ports.console)}/v1/reports/nps?from=2000-01-01&to=2100-12-31&groupBy=unit`, {
    headers: { authorization: `Bearer ${CONSOLE_TOKEN}` },
  });
  if (!res.ok) throw new Error(`NPS report answered ${res.status}`);
  const body = (await res.json()) as { total?: { n?: number } };
  return body.total?.n ?? 0;
}

/** Visit indices (from `<tag>-V<i>`) of the invitations that have been sent. */
export async function sentIndices(pool: pg.Pool, tag: string): Promise<number[]> {
  const { rows } = await pool.query<{ v: string }>(
    `SELECT v.source_visit_id AS v FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.status IN ${DONE}`,
  );
  const prefix = `${tag}-V`;
  return rows
    .filter((r) => r.v.startsWith(prefix))
    .map((r) => Number(r.v.slice(prefix.length)))
    .sort((a, b) => a - b);
}

/**
 * N visits through ingest (batch endpoint) → outbox → BullMQ → sender → Twilio SDK → sms-sim, then
 * N/4 patients answer through the replies webhook, until the console's NPS report counts them all.
 * On a time-out it reports how far it got and the rates so far.
 */
export async function runPipeline(ctx: BenchContext, flow: Flow): Promise<void> {
  const N = flow.visits;
  const limitMs = (N <= 1000 ? 35 : 150) * 1000;
  // how often the invitations are counted: each count reads them all, so less often for large runs
  // Each look is a pass over every invitation, and its CPU is taken from the pipeline it measures.
  const pollMs = N <= 10_000 ? 200 : 1000;
  const pool = new pg.Pool({ connectionString: flow.databaseUrl, max: 2 });
  const marks: Record<string, number> = {};
  const counts = { ingested: 0, scheduled: 0, sent: 0, other: {} as Record<string, number> };
  const title = `pipeline: ${N.toLocaleString('en-US')} visits + ${flow.answers.toLocaleString('en-US')} replies → report`;
  const target = ctx.quick ? { targetText: '< 90 s at 100k + 25k' } : { target: 90 };
  let stop = false;
  try {
    // the sender's bound: the Twilio stand-in's own rate, measured now, before the flow loads it
    const bound = await twilioStandInBound(flow.ports, ctx.seconds, SENDER_CONCURRENCY);
    await fetch(`${urlOf(flow.ports.sim)}/sim/messages`, { method: 'DELETE' });
    ctx.log(`pipeline: sms-sim Messages API alone ${Math.round(bound.rps)} msg/s (p99 ${bound.p99} ms)`);
    const endedAt = anHourAgo();
    const ingestUrl = `${urlOf(flow.ports.ingest)}/v1/visits`;
    const cpuAtStart = cpuSnapshot(ctx.sampler.tracked());
    const t0 = performance.now();
    const since = () => (performance.now() - t0) / 1000;
    let next = 0;
    let ingestError: Error | null = null;
    const ingesting = lanes(4, async () => {
      const start = next;
      if (start >= N || stop) return false;
      next += BATCH;
      const items = Array.from({ length: Math.min(BATCH, N - start) }, (_, k) => visitEvent(flow.tag, start + k, endedAt));
      const res = await fetch(ingestUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.lifecare}` },
        body: JSON.stringify(items),
      });
      if (!res.ok) throw new Error(`batch answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const { results } = (await res.json()) as { results: Array<{ outcome: string; reason?: string }> };
      counts.ingested += results.length;
      for (const r of results) {
        if (r.outcome === 'scheduled') counts.scheduled++;
        else {
          const k = `${r.outcome}${r.reason ? `:${r.reason}` : ''}`;
          counts.other[k] = (counts.other[k] ?? 0) + 1;
        }
      }
      return next < N;
    }).then(
      () => {
        marks.ingested = since();
      },
      (error: Error) => {
        ingestError = error;
      },
    );

    // watch the outbox and the invitations until every scheduled invitation has been sent
    // the sender's own rate: counted only while at least `busy` invitations waited for it
    const busy = 200;
    const senderBusy = { sent: 0, seconds: 0 };
    let prev: { at: number; done: number; waiting: number } | null = null;
    // delivery callbacks: texts settled per second, counted while ≥ `busy` sent texts awaited theirs
    const settledBusy = { settled: 0, seconds: 0 };
    let settledCount = 0;
    let prevSettled: { at: number; settled: number; open: number } | null = null;
    const noteSettled = (settled: number, at: number) => {
      const open = (counts.sent || 0) - settled;
      if (prevSettled && prevSettled.open >= busy) {
        settledBusy.settled += settled - prevSettled.settled;
        settledBusy.seconds += at - prevSettled.at;
      }
      prevSettled = { at, settled, open };
      settledCount = settled;
      if (settled >= counts.scheduled && counts.scheduled > 0 && marks.settledAll === undefined) marks.settledAll = at;
    };
    let timedOut = false;
    for (;;) {
      if (ingestError) throw ingestError;
      const { outbox, done, waiting, settled } = await progress(pool);
      const at = since();
      noteSettled(settled, at);
      if (prev && prev.waiting >= busy) {
        senderBusy.sent += done - prev.done;
        senderBusy.seconds += at - prev.at;
      }
      prev = { at, done, waiting };
      counts.sent = done;
      if (done > 0 && marks.firstSent === undefined) marks.firstSent = since();
      if (marks.ingested !== undefined && outbox === 0 && marks.relayed === undefined) marks.relayed = since();
      if (marks.ingested !== undefined && done >= counts.scheduled) {
        marks.sent = since();
        break;
      }
      if (since() * 1000 > limitMs) {
        timedOut = true;
        break;
      }
      await sleep(pollMs);
    }
    stop = true;
    await ingesting;
    flow.sent = await sentIndices(pool, flow.tag);
    const elapsed = since();
    const senderRow = () =>
      row('pipeline: sender (→ Twilio SDK → sms-sim)', senderBusy.seconds > 1 ? senderBusy.sent / senderBusy.seconds : null, 'msg/s', {
        bound: bound.rps,
        boundWhat: `sms-sim Messages API alone, ${SENDER_CONCURRENCY} conns`,
        note:
          senderBusy.seconds > 1
            ? `while ≥ ${busy} invitations waited (${senderBusy.seconds.toFixed(1)} s); first sent at ${fmtS(marks.firstSent)}, all at ${fmtS(marks.sent)}; bound: sms-sim's Messages API alone (${SENDER_CONCURRENCY} conns, no callbacks)`
            : `kept up with ingest: never ${busy} invitations waiting; first sent at ${fmtS(marks.firstSent)}, all at ${fmtS(marks.sent)}`,
      });
    const callbacksRow = () =>
      row(
        'pipeline: delivery callbacks (sms-sim → replies)',
        settledBusy.seconds > 1 ? settledBusy.settled / settledBusy.seconds : null,
        'texts/s',
        {
          note: `texts settled (delivered/undelivered) per second while ≥ ${busy} sent texts waited for their callbacks (2 signed callbacks each: sent, delivered); ${settledCount} of ${counts.scheduled} settled by ${fmtS(marks.settledAll ?? since())}`,
        },
      );
    const rate = (n: number, from: number | undefined, to: number | undefined) =>
      from !== undefined && to !== undefined && to > from ? n / (to - from) : n / elapsed;
    if (timedOut) {
      ctx.rows.push(
        notAvailable(
          title,
          's',
          ctx.quick ? '< 90 s at 100k + 25k' : '< 90 s',
          `stopped after ${Math.round(elapsed)} s: ${counts.ingested} visits ingested, ${counts.sent} of ${counts.scheduled} scheduled sent`,
        ),
        row('pipeline: ingest (batch endpoint, 4 conns)', counts.ingested / (marks.ingested ?? elapsed), 'visits/s'),
        row('pipeline: outbox relay (to BullMQ)', marks.relayed ? counts.scheduled / marks.relayed : null, 'jobs/s', {
          note: marks.relayed ? `outbox empty ${fmtS(marks.relayed)} after start` : 'outbox never empty',
        }),
        senderRow(),
        row('pipeline: sender, overall', rate(counts.sent, marks.firstSent, marks.sent), 'msg/s'),
        callbacksRow(),
        cpuRow(cpuBetween(cpuAtStart, cpuSnapshot(ctx.sampler.tracked())), counts.sent),
      );
      ctx.details.pipeline = { visits: N, marksSeconds: marks, counts, settled: settledCount, senderBound: bound, timedOut: true };
      return;
    }

    // a quarter of the patients answer, 50 at a time
    const answering = flow.sent.slice(0, flow.answers);
    flow.answered = answering.length;
    let r = 0;
    await lanes(50, async () => {
      const k = r++;
      if (k >= answering.length) return false;
      const i = answering[k] as number;
      const req = inboundRequest(flow.ports, phone(i), replyText(i), flow.tag);
      const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body });
      if (!res.ok) throw new Error(`inbound webhook answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer();
      return true;
    });
    marks.replied = since();
    let reported = 0;
    for (;;) {
      reported = await reportTotal(flow.ports);
      if (reported >= answering.length) break;
      if (since() * 1000 > limitMs + (ctx.quick ? 10_000 : 30_000)) break;
      await sleep(100);
    }
    marks.reported = since();
    while (settledCount < counts.scheduled && since() * 1000 < limitMs + (ctx.quick ? 15_000 : 40_000)) {
      noteSettled((await progress(pool)).settled, since());
      if (settledCount < counts.scheduled) await sleep(pollMs);
    }

    const cpu = cpuBetween(cpuAtStart, cpuSnapshot(ctx.sampler.tracked()));
    const m = marks as Record<'ingested' | 'relayed' | 'firstSent' | 'sent' | 'replied' | 'reported', number>;
    ctx.rows.push(
      row(title, reported >= answering.length ? m.reported : null, 's', {
        direction: 'lower',
        ...target,
        note: `scheduled ${counts.scheduled}${Object.keys(counts.other).length ? `, other outcomes ${JSON.stringify(counts.other)}` : ''}; report counts ${reported} of ${answering.length} answers${ctx.quick ? ' (quick: scaled down)' : ''}`,
      }),
      row('pipeline: ingest (batch endpoint, 4 conns)', N / m.ingested, 'visits/s'),
      row('pipeline: outbox relay (to BullMQ)', counts.scheduled / (m.relayed ?? m.sent), 'jobs/s', {
        note: `outbox empty ${(m.relayed ?? m.sent).toFixed(1)} s after start`,
      }),
      senderRow(),
      callbacksRow(),
      row('pipeline: replies (signed webhooks, 50 conns)', answering.length / (m.replied - m.sent), 'replies/s'),
      row('pipeline: report counts every answer', (m.reported - m.replied) * 1000, 'ms', { direction: 'lower' }),
      cpuRow(cpu, counts.scheduled),
    );
    ctx.details.pipeline = {
      visits: N,
      answers: answering.length,
      marksSeconds: marks,
      counts,
      settled: settledCount,
      senderBound: bound,
      cpu,
    };
  } finally {
    stop = true;
    await pool.end();
  }
}

/**
 * Where the machine's CPU went during the flow, per text: what bounds the pipeline when the
 * machine is busy all the time (each part's ms of CPU per text, and how busy both cores were).
 */
function cpuRow(cpu: ReturnType<typeof cpuBetween>, texts: number) {
  const total = Object.values(cpu.seconds).reduce((a, b) => a + b, 0);
  return row('pipeline: CPU per text, all processes', (total * 1000) / Math.max(texts, 1), 'ms', {
    direction: 'lower',
    note: `ms of CPU per text: ${cpuPerItem(cpu, texts)}; both cores ${Math.round(cpu.machineBusy * 100)} % busy over ${cpu.wallSeconds.toFixed(0)} s`,
  });
}

/** Waits (at most `ms`) until sms-sim's delivery callbacks have settled: no invitation left in 'sent'. */
export async function waitForCallbacks(databaseUrl: string, ms: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const deadline = Date.now() + ms;
  try {
    for (;;) {
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM invitations WHERE status = 'sent'");
      const n = rows[0]?.n ?? 0;
      if (n === 0 || Date.now() > deadline) return n;
      await sleep(250);
    }
  } finally {
    await pool.end();
  }
}
