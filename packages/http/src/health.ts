import type { FastifyInstance } from 'fastify';
import { sendProblem } from './problem.ts';

export type ReadinessCheck = () => Promise<void>;

/**
 * `/healthz` (alive) and `/readyz` (every dependency reachable; 503 names the failing ones).
 * `/readyz?ignore=redis` reports a dependency without failing on it: for a load balancer in front
 * of ingest, which goes on taking visits (into the outbox) while Redis is away (an alerts probe:
 * a Redis outage became an ingest outage behind one). Only the checks in `mayIgnore` can be
 * ignored; any other name is refused (400), so a health check cannot hide Postgres, nor a typo
 * pass unnoticed. Also makes `app.close()` end keep-alive connections (see closeConnectionsOnShutdown).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
  options: { mayIgnore?: readonly string[] } = {},
) {
  const mayIgnore = options.mayIgnore ?? [];
  closeConnectionsOnShutdown(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get<{ Querystring: { ignore?: string | string[] } }>('/readyz', async (request, reply) => {
    // (`ignore=redis,x`, `ignore=redis&ignore=x`, any case and spacing)
    const ignored = new Set(
      [request.query.ignore ?? []]
        .flat()
        .flatMap((v) => String(v).split(','))
        .map((v) => v.trim().toLowerCase()),
    );
    const refused = [...ignored].filter((name) => !mayIgnore.includes(name));
    if (refused.length) {
      const allowed = mayIgnore.length ? `only ${mayIgnore.join(', ')} may be` : 'this service is ready only with all of them';
      const detail = `ignore: ${refused.map((n) => JSON.stringify(n)).join(', ')} cannot be ignored (${allowed})`;
      return sendProblem(reply, 400, 'Invalid readiness check', detail, { checks: Object.keys(checks) });
    }
    // Shutting down (drainConnections): a load balancer sends new requests to another instance.
    if (draining.has(app.server)) return reply.code(503).send({ status: 'stopping', checks: {}, failing: ['stopping'] });
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2000);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, `unavailable: ${(error as Error).message}`] as const;
        }
      }),
    );
    const failing = results.filter(([name, state]) => state !== 'ok' && !ignored.has(name)).map(([name]) => name);
    const body = { status: failing.length ? 'unavailable' : 'ok', checks: Object.fromEntries(results) };
    if (failing.length) return reply.code(503).send({ ...body, failing });
    return body;
  });
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** Servers whose process is stopping (drainConnections), by their http.Server: one per app, whatever plugin scope asks. */
const draining = new WeakSet<object>();

/**
 * While the app drains and closes, every response tells its client to close the connection.
 * Without this a keep-alive client (a record system's integration engine, Twilio) holds a socket
 * that became idle after the close began, and the close waits for the keep-alive timeout (72 s).
 */
export function closeConnectionsOnShutdown(app: FastifyInstance) {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections?.();
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if ((closing || draining.has(app.server)) && request.raw.httpVersionMajor === 1) reply.header('connection', 'close');
    return payload;
  });
}

/**
 * The first step of a graceful stop (main.ts, before `app.close()`): for `ms` the server goes on
 * listening and answering, each answer ends its connection, and /readyz says `stopping`. A load
 * balancer meanwhile moves new requests to another instance, and a client's kept-alive connection
 * is ended after its next answer. Closing at once instead ends the idle connections under a
 * request already on its way: that request is reset, and Twilio does not send a patient's answer
 * again (a rolling-restart probe lost four). Then `app.close()` stops listening, finishes what is
 * in flight and ends the connections still idle.
 */
export async function drainConnections(app: FastifyInstance, ms: number): Promise<void> {
  draining.add(app.server);
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
