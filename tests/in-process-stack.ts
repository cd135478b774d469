import type { AddressInfo } from 'node:net';
import type { KaikuConfig } from '@kaiku/config';
import { buildConsoleApp } from '@kaiku/console';
import type { Keys } from '@kaiku/core';
import { createPool, type Pool } from '@kaiku/db';
import { buildIngestApp, createOutboxRelay } from '@kaiku/ingest';
import { createRedis, createSurveySendQueue } from '@kaiku/queue';
import { buildRepliesApp } from '@kaiku/replies';
import { createSenderWorker, createTwilioClient } from '@kaiku/sender';
import { buildSimApp } from '@kaiku/sms-sim';
import { createTestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';

export const INGEST_TOKEN = 'lc-token';
export const CONSOLE_TOKEN = 'console-token';
export const SIM_NUMBER = '+358451234567';

export interface InProcessStack {
  pool: Pool;
  urls: { ingest: string; replies: string; console: string; sim: string };
  close: () => Promise<void>;
}

async function listen(app: FastifyInstance, port = 0): Promise<string> {
  await app.listen({ host: '127.0.0.1', port });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/**
 * Every service built by its own builder and listening on a free port, against a database and a
 * Redis prefix of this test file's own: ingest (token `lc-token` for source lifecare) with its
 * outbox relay, the sender worker through the real Twilio SDK to sms-sim, replies, the console.
 * `now` is the replies service's clock (a test can move it past the answer window).
 */
export async function startInProcessStack(o: { kaiku: KaikuConfig; keys: Keys; authToken: string; accountSid: string; now?: () => Date }) {
  const { kaiku, keys, authToken, accountSid } = o;
  const logger = pino({ level: 'silent' });
  const env = await createTestEnv();
  const pool = createPool(env.databaseUrl);
  const redis = createRedis(env.redisUrl, { failFast: true });
  const workerRedis = createRedis(env.redisUrl);
  const queue = createSurveySendQueue(redis, env.prefix);
  const relay = createOutboxRelay({ pool, queue, logger, intervalMs: 50 });

  // Twilio signs over the public URL; here that is the replies app's own address, so take a free
  // port first and build the app for it.
  const probe = buildRepliesApp({ pool, kaiku, keys, logger, authToken, publicBaseUrl: 'http://placeholder' });
  const repliesUrl = await listen(probe);
  await probe.close();
  const replies = buildRepliesApp({ pool, kaiku, keys, logger, authToken, publicBaseUrl: repliesUrl, ...(o.now ? { now: o.now } : {}) });
  await listen(replies, Number(new URL(repliesUrl).port));
  const sim = buildSimApp({ accountSid, authToken, publicBaseUrl: repliesUrl, number: SIM_NUMBER, callbackDelayMs: 5, logger });
  const simUrl = await listen(sim);
  const ingest = buildIngestApp({
    pool,
    redis,
    kaiku,
    keys,
    tokens: new Map([[INGEST_TOKEN, 'lifecare']]),
    logger,
    onCommitted: () => relay.nudge(),
  });
  const consoleApp = buildConsoleApp({ pool, kaiku, logger, token: CONSOLE_TOKEN });
  const worker = createSenderWorker({
    connection: workerRedis,
    prefix: env.prefix,
    pool,
    kaiku,
    keys,
    logger,
    twilio: createTwilioClient({ accountSid, authToken, apiBaseUrl: simUrl }),
    sender: { from: SIM_NUMBER },
    publicBaseUrl: repliesUrl,
  });
  relay.start();
  const closers: Array<() => Promise<unknown>> = [
    () => ingest.close(),
    () => relay.stop(),
    () => worker.close(),
    () => queue.close(),
    () => sim.close(),
    () => replies.close(),
    () => consoleApp.close(),
    async () => redis.disconnect(),
    async () => workerRedis.disconnect(),
    () => pool.end(),
    () => env.cleanup(),
  ];
  const stack: InProcessStack = {
    pool,
    urls: { ingest: await listen(ingest), replies: repliesUrl, console: await listen(consoleApp), sim: simUrl },
    close: async () => {
      for (const close of closers) await close().catch(() => {});
    },
  };
  return stack;
}
