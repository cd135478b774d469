// `pnpm bench [--quick] [--only=raw,ingest,pipeline,replies,reports]`: measures every stage of Kaiku
// against the raw building blocks on this machine, in the same run; prints a table and writes JSON
// under bench/results/. BENCH_CPU_PROF=<dir> profiles every child process (node --cpu-prof).
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { createBenchEnv } from './lib/bench-env.ts';
import type { BenchContext } from './lib/context.ts';
import { writeKaikuConfig } from './lib/fake-visits.ts';
import { allocatePorts, startKaiku } from './lib/kaiku-services.ts';
import { formatTable, notAvailable, row } from './lib/results.ts';
import { createRssSampler, killChildrenNow, REPO_ROOT } from './lib/services.ts';
import { runIngest } from './stages/ingest.bench.ts';
import { type Flow, runPipeline, waitForCallbacks } from './stages/pipeline.bench.ts';
import { runRaw } from './stages/raw.bench.ts';
import { runReplies } from './stages/replies.bench.ts';
import { runReports } from './stages/reports.bench.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null;
const wanted = (stage: string) => !only || only.has(stage);

const started = Date.now();
const log = (message: string) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const sh = (cmd: string) => {
  try {
    return execSync(cmd, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};

const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
const freeAtStart = sh('free -h');
const env = await createBenchEnv(process.env);
const sampler = createRssSampler();
const ctx: BenchContext = {
  quick,
  env,
  sampler,
  kaikuConfig: writeKaikuConfig(),
  rows: [],
  bounds: {},
  seconds: quick ? 2 : 10,
  warmupSeconds: quick ? 1 : 3,
  details: {},
  log,
};
let cleaned = false;
const cleanup = async () => {
  if (cleaned) return;
  cleaned = true;
  sampler.stop();
  await env.cleanup().catch((e: Error) => log(`cleanup: ${e.message}`));
};
process.on('exit', killChildrenNow);
process.on('unhandledRejection', (error) => {
  log(`unexpected: ${(error as Error)?.stack ?? error}`);
  killChildrenNow();
  void cleanup().finally(() => process.exit(1));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function stage(name: string, fn: () => Promise<void>) {
  if (!wanted(name)) return;
  log(`${name}…`);
  const t = Date.now();
  try {
    await fn();
  } catch (error) {
    log(`${name} failed: ${(error as Error).stack ?? error}`);
    ctx.rows.push(notAvailable(name, '', '', `failed: ${(error as Error).message.split('\n')[0]?.slice(0, 200)}`));
  }
  log(`${name} done in ${((Date.now() - t) / 1000).toFixed(0)} s`);
}

await stage('raw', () => runRaw(ctx));
await stage('ingest', () => runIngest(ctx));

// pipeline, replies and reports share one database and one set of running services
if (wanted('pipeline') || wanted('replies') || wanted('reports')) {
  const visits = Number(process.env.BENCH_PIPELINE_VISITS) || (quick ? 600 : 100_000); // BENCH_PIPELINE_VISITS: another size
  const flow: Flow = {
    databaseUrl: await env.newDatabase('flow'),
    ports: await allocatePorts(),
    tag: `p${env.runId}`,
    visits,
    answers: visits / 4,
    sent: [],
    answered: 0,
  };
  await env.clearQueues();
  let kaiku: Awaited<ReturnType<typeof startKaiku>> | null = null;
  try {
    kaiku = await startKaiku(ctx, flow.databaseUrl, flow.ports, ['sms-sim', 'replies', 'console', 'sender', 'ingest']);
    await stage('pipeline', () => runPipeline(ctx, flow));
    const stillSent = await waitForCallbacks(flow.databaseUrl, quick ? 3_000 : 20_000);
    if (stillSent) log(`${stillSent} invitations still waiting for their delivery callback`);
    await stage('replies', () => runReplies(ctx, flow));
    await stage('reports', () => runReports(ctx, flow));
  } catch (error) {
    ctx.rows.push(notAvailable('pipeline', '', '', `services did not start: ${(error as Error).message.split('\n')[0]}`));
    log((error as Error).message);
  } finally {
    await kaiku?.stopAll();
  }
}

// memory: the highest RSS each process reached while it ran
const SERVICES = new Set(['ingest', 'sender', 'replies', 'console']);
const atReady = sampler.atReady();
for (const [name, mb] of [...sampler.peaks()].sort()) {
  const idle = atReady.get(name);
  const note = idle === undefined ? undefined : `${Math.round(idle)} MB idle right after start`;
  ctx.rows.push(
    SERVICES.has(name)
      ? row(`memory: ${name} peak RSS`, mb, 'MB', { direction: 'lower', target: 200, note })
      : row(`memory: ${name} peak RSS (harness)`, mb, 'MB', { direction: 'lower', note }),
  );
}

const machine = {
  nproc: cpus().length,
  cpu: cpus()[0]?.model ?? '',
  memTotalGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
  memFreeGbAtEnd: Math.round((freemem() / 2 ** 30) * 10) / 10,
  loadavgAtStart: loadAtStart,
  loadavgAtEnd: loadavg().map((l) => Math.round(l * 100) / 100),
  freeAtStart,
  node: process.version,
  postgres: sh(`psql -X -At -d "${env.adminUrl}" -c "SHOW server_version"`),
  redis: sh('redis-cli INFO server | grep redis_version | cut -d: -f2'),
};
const commit = sh('git rev-parse --short HEAD');
const dirty = sh('git status --porcelain -- services packages').length > 0;
const result = {
  when: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  commit,
  uncommittedServiceChanges: dirty,
  seconds: Math.round((Date.now() - started) / 1000),
  machine,
  bounds: ctx.bounds,
  rows: ctx.rows,
  details: ctx.details,
};
await cleanup();

console.log(
  `\nKaiku benchmark (${result.mode}) · commit ${commit}${dirty ? ' + uncommitted changes' : ''} · ${machine.nproc} cores · node ${machine.node}`,
);
console.log(formatTable(ctx.rows));
const dir = `${REPO_ROOT}bench/results`;
mkdirSync(dir, { recursive: true });
const file = `${dir}/${result.when.replaceAll(':', '').replace(/\.\d+Z$/, 'Z')}-${result.mode}.json`;
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\n${result.seconds} s; written to ${file.slice(REPO_ROOT.length)}`);
process.exit(0);
