import formbody from '@fastify/formbody';
import type { KaikuConfig } from '@kaiku/config';
import type { Keys } from '@kaiku/core';
import { isDatabaseUnavailable, type Pool } from '@kaiku/db';
import { registerErrorHandler, registerHealthRoutes } from '@kaiku/http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createInboundHandler } from './handle-inbound.ts';
import { registerTwilioRoutes } from './routes/twilio.routes.ts';

export interface RepliesAppDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  logger: Logger;
  authToken: string;
  publicBaseUrl: string;
  now?: () => Date;
}

/** Twilio's webhook receiver; no listening, no timers. */
export function buildRepliesApp(deps: RepliesAppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger, bodyLimit: 64 * 1024, requestIdHeader: 'x-request-id' });
  registerErrorHandler(app, isDatabaseUnavailable);
  app.register(formbody);
  registerHealthRoutes(app, { postgres: async () => void (await deps.pool.query('SELECT 1')) });
  app.register(async (scope) =>
    registerTwilioRoutes(scope, {
      pool: deps.pool,
      authToken: deps.authToken,
      publicBaseUrl: deps.publicBaseUrl,
      answerWindowDays: deps.kaiku.survey.answerWindowDays,
      handleInbound: createInboundHandler(deps),
    }),
  );
  return app;
}
