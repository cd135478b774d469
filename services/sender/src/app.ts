import type { Pool } from '@kaiku/db';
import { lazyRequestLogger, registerErrorHandler, registerHealthRoutes, registerMetrics } from '@kaiku/http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
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
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, childLoggerFactory: lazyRequestLogger });
  registerErrorHandler(app);
  registerMetrics(app);
  registerHealthRoutes(app, {
    postgres: async () => void (await deps.pool.query('SELECT 1')),
    redis: async () => void (await deps.redis.ping()),
    twilio: deps.twilioConfigured,
  });
  return app;
}
