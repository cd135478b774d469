import { createHmac } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import type { BenchContext } from '../lib/context.ts';
import { ACCOUNT_SID, AUTH_TOKEN, TWILIO_FROM, twilioSignature, UNIT_COUNT, UNITS, unitService } from '../lib/fake-visits.ts';
import { contractEnv, urlOf } from '../lib/kaiku-services.ts';
import { load } from '../lib/load.ts';
import { row } from '../lib/results.ts';
import { type Flow, inboundRequest } from './pipeline.bench.ts';

const LANGS = ['fi', 'fi', 'fi', 'fi', 'fi', 'fi', 'fi', 'fi', 'sv', 'en'] as const;
const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75+'];
const REASONS = ['Hoitaja oli tosi ystävällinen', 'Jonotin yli tunnin', 'Lääkäri kuunteli hyvin', 'Aika järjestyi nopeasti'];
/** How many requests after a score-only answer its reason follows. */
const REASON_LAG = 200;
const SEED_CHUNK = 10_000;

/** Bench patients' numbers: +35850…, apart from the pipeline's +35840… */
const benchPhone = (i: number) => `+35850${String(i).padStart(7, '0')}`;

/**
 * Patients with a delivered invitation waiting for their answer (or, `sent`, a text whose status
 * callbacks are still to come), seeded straight into the flow's database as ingest + sender would
 * leave them, so that the stage does not depend on how far the pipeline got and each patient
 * answers only once or twice, as real patients do.
 */
async function seedPatients(
  databaseUrl: string,
  pseudonymKey: Buffer,
  tag: string,
  count: number,
  state: 'delivered' | 'sent' = 'delivered',
): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    for (let start = 0; start < count; start += SEED_CHUNK) {
      const n = Math.min(SEED_CHUNK, count - start);
      const idx = Array.from({ length: n }, (_, k) => start + k);
      await pool.query(
        `WITH x AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(vid, unit, service, lang, age, hash)
         ), v AS (
           INSERT INTO visits (source, source_visit_id, unit_id, service, ended_at, visit_day, language, age_band)
           SELECT 'lifecare', vid, unit, service, now() - interval '1 hour', (now() AT TIME ZONE 'Europe/Helsinki')::date, lang, age FROM x
           RETURNING id, source_visit_id, language
         )
         INSERT INTO invitations (visit_id, status, delivery_status, phone_hash, language, sent_at, expires_at, message_sid, attempt)
         SELECT v.id, $7, CASE WHEN $7 = 'delivered' THEN 'delivered' END, x.hash, v.language, now(), now() + interval '7 days',
                'SM' || md5(x.vid), 1
         FROM v JOIN x ON x.vid = v.source_visit_id`,
        [
          idx.map((i) => `${tag}-R${i}`),
          idx.map((i) => UNITS[i % UNIT_COUNT] as string),
          idx.map((i) => unitService(i % UNIT_COUNT)),
          idx.map((i) => LANGS[i % LANGS.length] as string),
          idx.map((i) => AGE_BANDS[i % AGE_BANDS.length] as string),
          idx.map((i) =>
            createHmac('sha256', pseudonymKey)
              .update(`phone:${benchPhone(i)}`)
              .digest('hex'),
          ),
          state,
        ],
      );
    }
    // As a running system's tables would be: with statistics (autovacuum has not caught up yet).
    await pool.query('ANALYZE visits, invitations');
  } finally {
    await pool.end();
  }
}

/**
 * The messages patients send, in order: every patient gives a score, half of them with a reason
 * in the same message; the other half send their reason ~200 messages later (after Kaiku asked
 * why). So each patient writes once or twice, and no patient is answered twice at the same time.
 */
function trafficOf(count: number) {
  let sent = 0;
  let nextPatient = 0;
  let wrapped = 0;
  const followUps: Array<{ patient: number; due: number }> = [];
  return {
    next(): { patient: number; body: string } {
      sent++;
      const due = followUps[0];
      if (due && due.due <= sent) {
        followUps.shift();
        return { patient: due.patient, body: REASONS[due.patient % REASONS.length] as string };
      }
      const patient = nextPatient++ % count;
      if (nextPatient > count) wrapped++;
      const score = (patient * 7) % 11;
      if (patient % 2 === 0) return { patient, body: `${score} ${REASONS[patient % REASONS.length]}` };
      followUps.push({ patient, due: sent + REASON_LAG });
      return { patient, body: String(score) };
    },
    stats: () => ({ messages: sent, patients: Math.min(nextPatient, count), wrapped }),
  };
}

/** Signed inbound webhooks from many patients, each answering once or twice (see trafficOf). */
export async function runReplies(ctx: BenchContext, flow: Flow): Promise<void> {
  // enough patients for ~6,000 messages/s over every window, at 1.5 messages each
  const count = (ctx.warmupSeconds + 2 * ctx.seconds) * 4_000;
  const env = contractEnv(ctx, flow.databaseUrl, flow.ports);
  const seedStarted = performance.now();
  await seedPatients(flow.databaseUrl, Buffer.from(env.KAIKU_PSEUDONYM_KEY as string, 'base64'), `${flow.tag}r`, count);
  ctx.log(`seeded ${count} patients with a delivered invitation in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  const traffic = trafficOf(count);
  const request = () => {
    const m = traffic.next();
    return inboundRequest(flow.ports, benchPhone(m.patient), m.body, `r${flow.tag}`);
  };
  const base = new URL(request().url);
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
  const mix = () => {
    const s = traffic.stats();
    return `${s.patients} patients wrote ${s.messages} messages so far${s.wrapped ? ` (${s.wrapped} from patients answering again: too few seeded)` : ''}`;
  };
  ctx.rows.push(
    row('replies: signed inbound webhooks, 50 conns', sat.rps, 'req/s', {
      bound: ctx.bounds.bareRps ?? null,
      boundWhat: 'bare route',
      target: 3000,
      note: `p99 ${sat.p99} ms; status ${JSON.stringify(sat.statusCodes)}; ${mix()}`,
    }),
  );
  const fixed = await run(ctx.seconds, 3000);
  ctx.rows.push(
    row('replies: p99 at 3,000 webhooks/s', fixed.p99, 'ms', {
      bound: ctx.bounds.bareP99At1000 ?? null,
      boundWhat: 'bare route p99 at 1,000/s',
      direction: 'lower',
      target: 25,
      note: `achieved ${Math.round(fixed.rps)} req/s, p50 ${fixed.p50} ms; status ${JSON.stringify(fixed.statusCodes)}; ${mix()}`,
    }),
  );
  ctx.details.replies = { saturated: sat, at3000: fixed, traffic: traffic.stats(), seededPatients: count };
  await runStatusCallbacks(ctx, flow, env.KAIKU_PSEUDONYM_KEY as string);
}

const CALLBACKS = ['sent', 'delivered'] as const;

/**
 * Twilio's status callbacks as the pipeline gets them, for texts that have just been sent: one per
 * status after the initial `queued` (Twilio sends none for that one), arriving one after another
 * but possibly in flight together.
 */
async function runStatusCallbacks(ctx: BenchContext, flow: Flow, pseudonymKey: string): Promise<void> {
  const texts = Math.ceil(((ctx.warmupSeconds + ctx.seconds) * 8_000) / CALLBACKS.length);
  const tag = `${flow.tag}s`;
  await seedPatients(flow.databaseUrl, Buffer.from(pseudonymKey, 'base64'), tag, texts, 'sent');
  const pool = new pg.Pool({ connectionString: flow.databaseUrl, max: 1 });
  const { rows } = await pool.query<{ id: string; sid: string }>(
    `SELECT i.id, i.message_sid AS sid FROM invitations i JOIN visits v ON v.id = i.visit_id
     WHERE v.source_visit_id LIKE $1 ORDER BY v.source_visit_id`,
    [`${tag}-R%`],
  );
  await pool.end();
  let k = 0;
  const next = () => {
    const text = rows[Math.floor(k / CALLBACKS.length) % rows.length] as { id: string; sid: string };
    const status = CALLBACKS[k++ % CALLBACKS.length] as string;
    const path = `/v1/twilio/status/${text.id}`;
    const form = {
      AccountSid: ACCOUNT_SID,
      ApiVersion: '2010-04-01',
      From: TWILIO_FROM,
      MessageSid: text.sid,
      MessageStatus: status,
      SmsSid: text.sid,
      SmsStatus: status,
      To: '+358401234567',
    };
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(AUTH_TOKEN, `${urlOf(flow.ports.replies)}${path}`, form),
    };
    return { path, headers, body: new URLSearchParams(form).toString() };
  };
  const run = (seconds: number) =>
    autocannon({
      url: urlOf(flow.ports.replies),
      connections: 50,
      duration: seconds,
      requests: [{ method: 'POST', path: '/', setupRequest: (req) => ({ ...req, ...next() }) }],
    });
  await run(ctx.warmupSeconds);
  const result = await run(ctx.seconds);
  const codes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat?.count ?? 0]));
  ctx.rows.push(
    row('replies: signed status callbacks, 50 conns', result['2xx'] / result.duration, 'req/s', {
      bound: ctx.bounds.bareRps ?? null,
      boundWhat: 'bare route',
      note: `p99 ${result.latency.p99} ms; status ${JSON.stringify(codes)}; ${Math.min(texts, Math.ceil(k / CALLBACKS.length))} texts, ${CALLBACKS.length} callbacks each`,
    }),
  );
  ctx.details.statusCallbacks = { rps: result['2xx'] / result.duration, p99: result.latency.p99, statusCodes: codes };
}
