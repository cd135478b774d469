import { randomBytes } from 'node:crypto';
import { deleteKeysUnder } from '@kaiku/queue';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import { withDatabase } from './global-setup.ts';

export interface TestEnv {
  /** A fresh, migrated database of this test file's own. */
  databaseUrl: string;
  /** The run's Redis; use `prefix` for every BullMQ queue so tests never meet. */
  redisUrl: string;
  prefix: string;
  /** Drops the database and deletes the prefix's Redis keys. */
  cleanup: () => Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const { adminDatabaseUrl } = inject('kaikuTestServers');
  const client = new pg.Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates an isolated database (copied from the run's migrated template) and Redis prefix. */
export async function createTestEnv(): Promise<TestEnv> {
  const servers = inject('kaikuTestServers');
  const suffix = randomBytes(4).toString('hex');
  const database = `kaiku_test_${servers.runId}_${suffix}`;
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE "${database}" TEMPLATE "${servers.templateDatabase}"`);
      break;
    } catch (error) {
      // "source database is being accessed by other users": another file is copying it right now
      if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
    }
  }
  const prefix = `kaiku-test-${servers.runId}-${suffix}`;
  return {
    databaseUrl: withDatabase(servers.adminDatabaseUrl, database),
    redisUrl: servers.redisUrl,
    prefix,
    cleanup: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await deleteRedisPrefix(servers.redisUrl, prefix);
    },
  };
}

export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

/** Waits until `check` returns a truthy value, polling; fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
