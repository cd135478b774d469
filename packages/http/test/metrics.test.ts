import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { kaikuMetrics, registerMetrics } from '../src/index.ts';

/** The value of one sample line of the Prometheus text format, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

function buildApp() {
  const app = Fastify();
  registerMetrics(app);
  app.get('/v1/things/:id', async () => ({ ok: true }));
  app.register(async (scope) => {
    scope.post('/v1/scoped', async (_request, reply) => reply.code(202).send());
  });
  return app;
}

describe('GET /metrics', () => {
  it('serves the Prometheus text format with the HTTP latency histogram by route template', async () => {
    const app = buildApp();
    for (const id of ['a', 'b', 'c']) await app.inject(`/v1/things/${id}`);
    await app.inject({ method: 'POST', url: '/v1/scoped' });
    await app.inject('/no/such/path/12345');
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    const labels = { method: 'GET', route: '/v1/things/:id', status_code: '200' };
    expect(sample(text, 'kaiku_http_request_duration_seconds_count', labels)).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'kaiku_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBeGreaterThanOrEqual(3);
    // Routes inside encapsulated plugins are timed too.
    expect(sample(text, 'kaiku_http_request_duration_seconds_count', { route: '/v1/scoped', status_code: '202' })).toBeGreaterThanOrEqual(
      1,
    );
    // Unknown paths collapse into one series: a scanner can't blow up the label set.
    expect(text).not.toContain('/no/such/path');
    expect(sample(text, 'kaiku_http_request_duration_seconds_count', { route: '(unmatched)', status_code: '404' })).toBeGreaterThanOrEqual(
      1,
    );
    // Node's own process metrics.
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds /m);
    expect(text).not.toContain('kaiku_process_');
    await app.close();
  });

  it('exports the event counters the services increment, with their labels', async () => {
    const app = buildApp();
    kaikuMetrics.visitEvents.inc({ source: 'lifecare', outcome: 'scheduled' });
    kaikuMetrics.visitSkips.inc({ reason: 'under-age' });
    kaikuMetrics.smsSends.inc({ result: 'failed', error_code: '21211' });
    kaikuMetrics.smsSegments.inc({ kind: 'invitation' }, 2);
    kaikuMetrics.replies.inc({ outcome: 'score' });
    kaikuMetrics.optOuts.inc({ method: 'keyword' });
    const text = (await app.inject('/metrics')).body;
    expect(sample(text, 'kaiku_visit_events_total', { source: 'lifecare', outcome: 'scheduled' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kaiku_visit_skips_total', { reason: 'under-age' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kaiku_sms_sends_total', { result: 'failed', error_code: '21211' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kaiku_sms_segments_total', { kind: 'invitation' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'kaiku_replies_total', { outcome: 'score' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'kaiku_opt_outs_total', { method: 'keyword' })).toBeGreaterThanOrEqual(1);
    // Without state sources the app exports no state gauges.
    expect(text).not.toContain('kaiku_outbox_backlog');
    await app.close();
  });

  it('lets two apps in one process (as tests build them) register without clashing', async () => {
    const a = buildApp();
    const b = buildApp();
    await a.inject('/v1/things/x');
    expect((await b.inject('/metrics')).statusCode).toBe(200);
    await Promise.all([a.close(), b.close()]);
  });
});
