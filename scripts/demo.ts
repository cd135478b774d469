// `pnpm demo`: the whole of Kaiku on one machine in a minute or two. Migrates a database of its own,
// starts every service and sms-sim, feeds a day of visits (Lifecare HL7 over MLLP, Pegasos FHIR over
// HTTP), lets simulated patients answer through sms-sim, prints the NPS table and the console's URL.
//   --keep         leave the services running (Ctrl-C stops them)
//   --visits N     the day's number of visits (default 240)
//   --seed N       another simulated day
//   --feed-only    feed a stack that already runs (docker compose --profile demo): DEMO_* URLs
// The usual port variables (INGEST_PORT, MLLP_PORT, …) move the services; DEMO_DATABASE (kaiku_demo)
// and DEMO_QUEUE_PREFIX (kaiku-demo) name the demo's own database and BullMQ prefix.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_CONFIG_PATH, loadKaikuConfig } from '../packages/config/src/index.ts';
import { buildWorkspace } from './build.ts';
import { type Endpoints, feedVisits, playPatients, printReport, waitForTexts } from './demo/feed.ts';
import { checkDependencies, portFree, prepareStorage, type RunningService, startService, stopAll } from './demo/stack.ts';
import { createRandom, dayOfVisits } from './demo/visits.ts';

const { values: args } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    'feed-only': { type: 'boolean', default: false },
    visits: { type: 'string', default: '240' },
    seed: { type: 'string', default: '2026' },
  },
});
const env = process.env;
const say = (line: string) => console.log(line);
const base = loadKaikuConfig(EXAMPLE_CONFIG_PATH);
const random = createRandom(Number(args.seed));
const count = Math.max(10, Number(args.visits) || 240);

function tokenOf(source: string, tokens: string): string {
  for (const pair of tokens.split(',')) {
    const [s, ...rest] = pair.trim().split(':');
    if (s === source && rest.length) return rest.join(':');
  }
  throw new Error(`INGEST_TOKENS has no token for ${source}`);
}

async function runLocalStack(): Promise<{ endpoints: Endpoints; services: RunningService[] }> {
  // HOST, as for every service (an all-addresses one is reached on loopback).
  const listen = env.HOST ?? '127.0.0.1';
  const host = listen === '0.0.0.0' ? '127.0.0.1' : listen;
  const databaseUrl = (() => {
    const u = new URL(env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/kaiku');
    u.pathname = `/${env.DEMO_DATABASE ?? 'kaiku_demo'}`;
    return u.toString();
  })();
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  say('Kaiku demo: checking PostgreSQL and Redis …');
  const problems = await checkDependencies(databaseUrl, redisUrl);
  if (problems.length) {
    for (const p of problems) console.error(`  ✗ ${p}`);
    console.error('Start what is missing (or run scripts/ensure-services.sh), then run `pnpm demo` again.');
    process.exit(1);
  }
  const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
  const ports = {
    ingest: port('INGEST_PORT', 3001),
    mllp: port('MLLP_PORT', 2575),
    sender: port('SENDER_PORT', 3002),
    replies: port('REPLIES_PORT', 3003),
    console: port('CONSOLE_PORT', 3004),
    sim: port('SMS_SIM_PORT', 3010),
  };
  const busy = [];
  for (const [name, port] of Object.entries(ports)) if (!(await portFree(host, port))) busy.push(`${name} ${port}`);
  if (busy.length) {
    console.error(
      `  ✗ port(s) in use: ${busy.join(', ')}. Is Kaiku already running (pnpm start, an earlier pnpm demo --keep)? Stop it first.`,
    );
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'kaiku-demo-'));
  const configFile = join(dir, 'kaiku.demo.json');
  // The example county, with demo timing: texts go out at once, day or night.
  const config = {
    ...base,
    survey: { ...base.survey, sendAfter: 'PT0S', quietHours: null, skipPublicHolidays: false },
    sending: { ratePerSecond: 60, concurrency: 10 },
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const prefix = env.DEMO_QUEUE_PREFIX ?? 'kaiku-demo';
  say(`  database ${new URL(databaseUrl).pathname.slice(1)} (recreated and migrated), Redis prefix ${prefix}, config ${configFile}`);
  await prepareStorage(databaseUrl, redisUrl, prefix);

  const tokens = { lifecare: 'demo-lifecare-token', pegasos: 'demo-pegasos-token', console: 'demo-console-token', ops: 'demo-ops-token' };
  const serviceEnv: NodeJS.ProcessEnv = {
    ...env,
    NODE_ENV: 'development',
    HOST: listen,
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    KAIKU_QUEUE_PREFIX: prefix,
    INGEST_PORT: String(ports.ingest),
    MLLP_PORT: String(ports.mllp),
    SENDER_PORT: String(ports.sender),
    REPLIES_PORT: String(ports.replies),
    CONSOLE_PORT: String(ports.console),
    SMS_SIM_PORT: String(ports.sim),
    KAIKU_CONFIG: configFile,
    INGEST_TOKENS: `lifecare:${tokens.lifecare},pegasos:${tokens.pegasos}`,
    CONSOLE_TOKEN: tokens.console,
    CONSOLE_OPS_TOKEN: tokens.ops,
    TWILIO_API_BASE_URL: `http://${host}:${ports.sim}`,
    PUBLIC_BASE_URL: `http://${host}:${ports.replies}`,
    SMS_SIM_CALLBACK_DELAY_MS: '100',
  };
  const logDir = join(dir, 'logs');
  say(`Starting ingest, sender, replies, console and sms-sim (logs in ${logDir}) …`);
  const url = (port: number) => `http://${host}:${port}`;
  buildWorkspace(); // the services run from dist/ (scripts/build.ts)
  const started = await Promise.allSettled([
    startService('sms-sim', url(ports.sim), serviceEnv, logDir),
    startService('replies', url(ports.replies), serviceEnv, logDir),
    startService('console', url(ports.console), serviceEnv, logDir),
    startService('sender', url(ports.sender), serviceEnv, logDir),
    startService('ingest', url(ports.ingest), serviceEnv, logDir),
  ]);
  const services = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    // The ones that did start are stopped too: none is left running on its port.
    console.error(`  ✗ ${(failed.reason as Error).message}`);
    await stopAll(services);
    process.exit(1);
  }
  say('  all services ready');
  return {
    services,
    endpoints: {
      ingest: url(ports.ingest),
      mllp: { host, port: ports.mllp },
      sim: url(ports.sim),
      console: url(ports.console),
      consolePublic: url(ports.console),
      tokens,
    },
  };
}

function composeEndpoints(): Endpoints {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`--feed-only needs ${name}`);
    return value;
  };
  const [mllpHost, mllpPort] = need('DEMO_MLLP').split(':');
  const ingestTokens = need('INGEST_TOKENS');
  return {
    ingest: need('DEMO_INGEST_URL'),
    mllp: { host: mllpHost as string, port: Number(mllpPort) },
    sim: need('DEMO_SMS_SIM_URL'),
    console: need('DEMO_CONSOLE_URL'),
    consolePublic: env.DEMO_CONSOLE_PUBLIC_URL ?? need('DEMO_CONSOLE_URL'),
    tokens: { lifecare: tokenOf('lifecare', ingestTokens), pegasos: tokenOf('pegasos', ingestTokens), console: need('CONSOLE_TOKEN') },
  };
}

const { endpoints, services } = args['feed-only'] ? { endpoints: composeEndpoints(), services: [] } : await runLocalStack();
let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  if (services.length) say('Stopping the services …');
  await stopAll(services);
  process.exit(code);
};
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  const now = new Date();
  const dayStart = new Date(now.getTime() - 11 * 3600_000);
  const day = dayOfVisits(count, Number(args.seed), now, random);
  say(`Feeding ${count} visits of the day (scripts/simulate): Lifecare HL7 v2 over MLLP, Pegasos FHIR R4 over HTTP …`);
  await feedVisits(endpoints, day, say);
  const texts = await waitForTexts(endpoints, say);
  await playPatients(endpoints, day, texts, random, say);
  await printReport(endpoints, base, dayStart, now, say);
  if (args.keep && services.length) {
    say('\nThe services keep running (--keep). Ctrl-C stops them.');
  } else {
    await stop(0);
  }
} catch (error) {
  console.error(`demo failed: ${(error as Error).message}`);
  await stop(1);
}
