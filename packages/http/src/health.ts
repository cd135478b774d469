import type { FastifyInstance } from 'fastify';

export type ReadinessCheck = () => Promise<void>;

/**
 * `/healthz` (alive) and `/readyz` (every dependency reachable; 503 names the failing ones).
 * Also makes `app.close()` end keep-alive connections (see closeConnectionsOnShutdown).
 */
export function registerHealthRoutes(app: FastifyInstance, checks: Record<string, ReadinessCheck>) {
  closeConnectionsOnShutdown(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
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
    const failing = results.filter(([, state]) => state !== 'ok').map(([name]) => name);
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

/**
 * While the app closes, every response still in flight tells its client to close the connection.
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
    if (closing && request.raw.httpVersionMajor === 1) reply.header('connection', 'close');
    return payload;
  });
}
