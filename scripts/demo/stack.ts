// The demo's local stack: dependency checks with exact advice, its own database and queue prefix,
// and every service as a child process whose logs go to files.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceName } from '../../packages/config/src/node-flags.ts';
import { createPool, migrate } from '../../packages/db/src/index.ts';
import { createRedis, deleteKeysUnder } from '../../packages/queue/src/index.ts';
import { serviceArgs } from '../build.ts';

export const root = fileURLToPath(new URL('../..', import.meta.url));

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Postgres and Redis must answer; otherwise say exactly what to start. */
export async function checkDependencies(databaseUrl: string, redisUrl: string): Promise<string[]> {
  const problems: string[] = [];
  const db = new URL(databaseUrl);
  const client = createPool(withDatabase(databaseUrl, 'postgres'), { max: 1, applicationName: 'kaiku-demo' });
  try {
    await client.query('SELECT 1');
  } catch (error) {
    problems.push(
      `PostgreSQL is not reachable at ${db.hostname}:${db.port || 5432} (${(error as Error).message}).\n` +
        `    Start it: sudo pg_ctlcluster 15 main start   (Debian/Ubuntu; or: sudo systemctl start postgresql,\n` +
        `    or: docker run -d --name kaiku-pg -p ${db.port || 5432}:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:15-alpine)\n` +
        `    or set DATABASE_URL to a server where user "${decodeURIComponent(db.username || 'postgres')}" may create databases.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
  const redis = createRedis(redisUrl, { failFast: true });
  const r = new URL(redisUrl);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    problems.push(
      `Redis is not reachable at ${r.hostname}:${r.port || 6379} (${(error as Error).message}).\n` +
        `    Start it: redis-server --daemonize yes --port ${r.port || 6379}   (or: sudo systemctl start redis-server,\n` +
        `    or: docker run -d --name kaiku-redis -p ${r.port || 6379}:6379 redis:7-alpine) or set REDIS_URL.`,
    );
  } finally {
    redis.disconnect();
  }
  return problems;
}

/** A fresh demo database (dropped and migrated again) and an empty queue prefix. */
export async function prepareStorage(databaseUrl: string, redisUrl: string, prefix: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = createPool(withDatabase(databaseUrl, 'postgres'), { max: 1, applicationName: 'kaiku-demo' });
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name.replaceAll('"', '""')}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  await migrate(databaseUrl);
  const redis = createRedis(redisUrl);
  await redis.connect();
  try {
    await deleteKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export async function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export interface RunningService {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
}

/** Starts `services/<name>/src/main.ts`, logging to `<logDir>/<name>.log`; resolves when ready. */
export async function startService(name: ServiceName, url: string, env: NodeJS.ProcessEnv, logDir: string): Promise<RunningService> {
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, serviceArgs(name), {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? 1;
  });
  const path = name === 'sms-sim' ? '/healthz' : '/readyz';
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (exited !== null) {
      const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n    ');
      throw new Error(`${name} stopped at start-up (exit ${exited}); its log (${logFile}) ends:\n    ${tail}`);
    }
    const ok = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { name, url, child, logFile };
    if (Date.now() > deadline) throw new Error(`${name} did not become ready at ${url}${path}; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** SIGTERM to each; resolves when all have exited. */
export async function stopAll(services: RunningService[]): Promise<void> {
  await Promise.all(
    services.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
          s.child.once('exit', () => resolve());
          s.child.kill('SIGTERM');
        }),
    ),
  );
}
