import type { FastifyInstance } from 'fastify';

export type ReadinessCheck = () => Promise<void>;

/** `/healthz` (alive) and `/readyz` (every dependency reachable; 503 names the failing ones). */
export function registerHealthRoutes(app: FastifyInstance, checks: Record<string, ReadinessCheck>) {
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
