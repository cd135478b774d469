import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { createStateGauges, type StateGaugeDeps } from './state-gauges.ts';

/**
 * The metric catalogue. Every name Kaiku exports is here, so dashboards and alert rules
 * (infra/grafana, infra/prometheus) have one place to agree with. Counters live in one
 * process-wide registry (a process is one service); the state gauges read Postgres/Redis at
 * scrape time and belong to the app that registers them.
 */
export function createMetricsCatalogue(registry: Registry) {
  const registers = [registry];
  return {
    registry,
    /** Every HTTP request a service answers, by route template (never the raw URL). */
    httpRequestDuration: new Histogram({
      name: 'kaiku_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    /** Ingest: one per visit event; outcome = scheduled | skipped | duplicate | cancelled | updated | rejected. */
    visitEvents: new Counter({
      name: 'kaiku_visit_events_total',
      help: 'Visit events received, by source system and outcome',
      labelNames: ['source', 'outcome'] as const,
      registers,
    }),
    /** 1 while a key (pseudonym, encryption) is not the one the database was first used with. */
    keysChanged: new Gauge({
      name: 'kaiku_keys_changed',
      help: 'Whether a key differs from the one the database was first used with (1: opt-outs no longer match)',
      labelNames: ['key'] as const,
      registers,
    }),
    /** Ingest: an MLLP connection refused because MLLP_MAX_CONNECTIONS were open. */
    mllpConnectionsRefused: new Counter({
      name: 'kaiku_mllp_connections_refused_total',
      help: 'MLLP connections refused at the connection cap (MLLP_MAX_CONNECTIONS)',
      registers,
    }),
    /** Ingest: one per skipped visit; reason = one of the contract's skip reasons. */
    visitSkips: new Counter({
      name: 'kaiku_visit_skips_total',
      help: 'Visits that got no survey, by skip reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    /**
     * Sender: one per send attempt that reached a decision. result = sent | failed (permanent) |
     * retry (transient, will be retried) | unknown (ambiguous, not retried) | cancelled (no longer
     * due: opted out, cancelled, quiet hours moved it). error_code = Twilio's code, "database" (a
     * retry because the sender could not reach Postgres) or "none".
     */
    smsSends: new Counter({
      name: 'kaiku_sms_sends_total',
      help: 'Survey sends by result and Twilio error code',
      labelNames: ['result', 'error_code'] as const,
      registers,
    }),
    /** Segments Twilio bills: kind = invitation (sender) | reply (TwiML answers from replies). */
    smsSegments: new Counter({
      name: 'kaiku_sms_segments_total',
      help: 'SMS segments sent, by kind of message',
      labelNames: ['kind'] as const,
      registers,
    }),
    /**
     * Replies: one per inbound SMS; outcome = score | score-with-reason | reason | not-a-score |
     * language | opt-out | opt-in | closed | no-invitation | duplicate.
     */
    replies: new Counter({
      name: 'kaiku_replies_total',
      help: 'Inbound SMS replies, by how they were understood',
      labelNames: ['outcome'] as const,
      registers,
    }),
    /** Replies: one per number opted out; method = keyword (STOP, LOPETA…) | twilio (error 21610). */
    optOuts: new Counter({
      name: 'kaiku_opt_outs_total',
      help: 'Numbers opted out of surveys, by how',
      labelNames: ['method'] as const,
      registers,
    }),
    /** Replies: delivery status callbacks from Twilio, by status. */
    deliveryStatuses: new Counter({
      name: 'kaiku_delivery_statuses_total',
      help: 'Twilio delivery status callbacks, by status and error code (30xxx: the carrier)',
      labelNames: ['status', 'error_code'] as const,
      registers,
    }),
  };
}
export type MetricsCatalogue = ReturnType<typeof createMetricsCatalogue>;

/** The process-wide registry and catalogue; domain code increments these counters. */
export const processRegistry = new Registry();
export const kaikuMetrics: MetricsCatalogue = createMetricsCatalogue(processRegistry);

/**
 * One delivery status applied (from a callback, or read from Twilio when its callback was lost):
 * only Twilio's own words as the status (anything else is `other`), its error code or `none`.
 */
export function countDeliveryStatus(status: string, errorCode: number | null | undefined): void {
  kaikuMetrics.deliveryStatuses.inc({
    status: /^[a-z-]{1,16}$/.test(status) ? status : 'other',
    error_code: errorCode && errorCode > 0 && errorCode < 100_000 ? String(errorCode) : 'none',
  });
}

let defaultMetricsOn = false;
/**
 * Node's own process metrics (CPU, memory, event-loop lag, GC), once per process, under their
 * standard names (`process_resident_memory_bytes`, `nodejs_eventloop_lag_p99_seconds`) so that
 * ready-made Node.js dashboards and alerts find them; the `job` label tells the services apart.
 */
function collectProcessMetrics() {
  if (defaultMetricsOn) return;
  defaultMetricsOn = true;
  collectDefaultMetrics({ register: processRegistry });
}

export interface MetricsOptions {
  /** Sources of the state gauges read at scrape time (state-gauges.ts); omit for counters and HTTP only. */
  state?: StateGaugeDeps;
  catalogue?: MetricsCatalogue;
}

/**
 * Times every request of `app` (including encapsulated plugins) and serves `GET /metrics` in
 * the Prometheus text format. Call once on the root instance, in the app builder.
 */
export function registerMetrics(app: FastifyInstance, options: MetricsOptions = {}) {
  const catalogue = options.catalogue ?? kaikuMetrics;
  if (catalogue === kaikuMetrics) collectProcessMetrics();
  const registry = options.state ? Registry.merge([catalogue.registry, createStateGauges(options.state)]) : catalogue.registry;
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url;
    catalogue.httpRequestDuration.observe(
      { method: request.method, route: route ?? '(unmatched)', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
