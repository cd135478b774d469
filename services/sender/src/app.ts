import { type Pool, schemaReadyCheck } from '@kaiku/db';
import { kaikuFastifyOptions, registerErrorHandler, registerHealthRoutes, registerMetrics } from '@kaiku/http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface SenderAppDeps {
  pool: Pool;
  redis: Redis;
  logger: Logger;
  twilioConfigured: () => Promise<void>;
}

/** The sender's small HTTP face: health and readiness for ops. */
export function buildSenderApp(deps: SenderAppDeps): FastifyInstance {
  const app = Fastify(kaikuFastifyOptions(deps.logger));
  registerErrorHandler(app);
  registerMetrics(app);
  registerHealthRoutes(app, {
    postgres: schemaReadyCheck(deps.pool),
    redis: async () => void (await deps.redis.ping()),
    twilio: deps.twilioConfigured,
  });
  return app;
}
