import formbody from '@fastify/formbody';
import type { KaikuConfig } from '@kaiku/config';
import type { Keys } from '@kaiku/core';
import { isDatabaseUnavailable, type Pool, schemaReadyCheck } from '@kaiku/db';
import { kaikuFastifyOptions, registerErrorHandler, registerHealthRoutes, registerMetrics } from '@kaiku/http';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createDeliveryStatusHandler } from './delivery-status.ts';
import { createInboundHandler } from './handle-inbound.ts';
import { registerInboundRoute } from './routes/inbound.route.ts';
import { registerStatusRoute } from './routes/status.route.ts';

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
  const app = Fastify({
    ...kaikuFastifyOptions(deps.logger),
    bodyLimit: 64 * 1024,
  });
  registerErrorHandler(app, isDatabaseUnavailable);
  app.register(formbody);
  registerMetrics(app);
  registerHealthRoutes(app, { postgres: schemaReadyCheck(deps.pool) });
  const auth = { authToken: deps.authToken, publicBaseUrl: deps.publicBaseUrl };
  app.register(async (scope) => {
    registerInboundRoute(scope, { ...auth, handleInbound: createInboundHandler(deps) });
    registerStatusRoute(scope, {
      ...auth,
      applyDeliveryStatus: createDeliveryStatusHandler({ pool: deps.pool, answerWindowDays: deps.kaiku.survey.answerWindowDays }),
    });
  });
  return app;
}
