// `pnpm start`: migrates, then runs every service (and sms-sim outside production) as child
// processes with their output prefixed; Ctrl-C or SIGTERM stops them all.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServiceName } from '../packages/config/src/node-flags.ts';
import { buildWorkspace, serviceArgs } from './build.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const production = process.env.NODE_ENV === 'production';
const env: NodeJS.ProcessEnv = {
  ...process.env,
  // Development defaults: tokens a newcomer can use at once (printed below).
  INGEST_TOKENS:
    process.env.INGEST_TOKENS ?? (production ? '' : 'lifecare:dev-lifecare-token,pegasos:dev-pegasos-token,demo:dev-demo-token'),
  ...(production || process.env.CONSOLE_OPS_TOKEN ? {} : { CONSOLE_OPS_TOKEN: 'dev-ops-token' }),
};
const services: ServiceName[] = ['ingest', 'sender', 'replies', 'console', ...(production ? [] : ['sms-sim' as const])];
const children = new Map<string, ChildProcess>();
let stopping = false;

function run(name: string, args: readonly string[]): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}]`.padEnd(10);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
  return child;
}

// The services run as plain JavaScript from dist/ (scripts/build.ts).
buildWorkspace();
const migrate = run('migrate', ['packages/db/src/migrate.main.ts']);
const migrated = await new Promise<number>((resolve) => migrate.on('exit', (code) => resolve(code ?? 1)));
if (migrated !== 0) {
  console.error('migration failed; is PostgreSQL running? (see scripts/ensure-services.sh)');
  process.exit(1);
}

for (const name of services) {
  const child = run(name, serviceArgs(name));
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the others`);
      stop(1);
    } else if (children.size === 0) process.exit(process.exitCode ?? 0);
  });
}

function stop(code: number) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 15_000).unref();
  if (children.size === 0) process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
// The terminal closed (or the ssh session dropped): stop the services rather than leave them orphaned.
process.on('SIGHUP', () => stop(0));

/** Where to reach a service listening on HOST: an all-addresses HOST is reached on loopback. */
const shownHost =
  !env.HOST || env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST === '::' ? '[::1]' : env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST;

if (!production) {
  console.log(`Kaiku is starting:
  ingest   http://${shownHost}:${env.INGEST_PORT ?? 3001}  (MLLP ${env.MLLP_PORT ?? 2575})  tokens: ${env.INGEST_TOKENS}
  sender   http://${shownHost}:${env.SENDER_PORT ?? 3002}/healthz
  replies  http://${shownHost}:${env.REPLIES_PORT ?? 3003}
  console  http://${shownHost}:${env.CONSOLE_PORT ?? 3004}  (token: ${env.CONSOLE_TOKEN ?? 'dev-console-token'})
           queue board http://${shownHost}:${env.CONSOLE_PORT ?? 3004}/ops/queues  (password: the console token; ${env.CONSOLE_OPS_TOKEN} to act)
           metrics: GET /metrics on every service
  sms-sim  http://${shownHost}:${env.SMS_SIM_PORT ?? 3010}/sim/messages
Ctrl-C stops everything.`);
}
