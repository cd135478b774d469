import { randomBytes } from 'node:crypto';
import { migrate } from '@kaiku/db';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startTestServers } from './servers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kaikuTestServers: { adminDatabaseUrl: string; templateDatabase: string; redisUrl: string; runId: string };
  }
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Once per test run: servers up, a migrated template database that each test file copies. */
export default async function setup(project: TestProject) {
  const servers = await startTestServers();
  const runId = randomBytes(4).toString('hex');
  const templateDatabase = `kaiku_test_${runId}_tpl`;
  await migrate(withDatabase(servers.databaseUrl, templateDatabase));
  project.provide('kaikuTestServers', {
    adminDatabaseUrl: withDatabase(servers.databaseUrl, 'postgres'),
    templateDatabase,
    redisUrl: servers.redisUrl,
    runId,
  });
  return async () => {
    const admin = new pg.Client({ connectionString: withDatabase(servers.databaseUrl, 'postgres') });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'kaiku\\_test\\_' || $1 || '\\_%'",
      [runId],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await admin.end();
    await servers.stop();
  };
}
