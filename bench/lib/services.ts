import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ServiceName } from '../../packages/config/src/node-flags.ts';
import { buildWorkspace, serviceNodeFlags, serviceScript } from '../../scripts/build.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type { ServiceName };

const liveChildren = new Set<ChildProcess>();

/** Last resort (process exit, a crash): SIGTERM to every child this run started and that still runs. */
export function killChildrenNow(): void {
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

export interface RunningProcess {
  name: string;
  pid: number;
  stop: () => Promise<void>;
  exited: () => boolean;
}

/** A port nobody listens on right now (the OS picks it; a child then binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Highest RSS seen per process name, sampled from /proc every 200 ms while the run lasts. */
export function createRssSampler() {
  const live = new Map<number, string>();
  const peakMb = new Map<string, number>();
  const readyMb = new Map<string, number>();
  const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  const sample = () => {
    for (const [pid, name] of live) {
      try {
        peakMb.set(name, Math.max(peakMb.get(name) ?? 0, rssMb(pid)));
      } catch {
        live.delete(pid);
      }
    }
  };
  const timer = setInterval(sample, 200);
  timer.unref();
  return {
    track: (pid: number, name: string) => live.set(pid, name),
    /** The processes sampled now (pid → name). */
    tracked: () => new Map(live),
    untrack: (pid: number) => {
      sample();
      live.delete(pid);
    },
    /** RSS right after the process became ready (idle), the first time a process of that name did. */
    ready: (pid: number, name: string) => {
      try {
        if (!readyMb.has(name)) readyMb.set(name, rssMb(pid));
      } catch {
        // gone already
      }
    },
    peaks: () => new Map(peakMb),
    atReady: () => new Map(readyMb),
    stop: () => clearInterval(timer),
  };
}
export type RssSampler = ReturnType<typeof createRssSampler>;

export interface SpawnOptions {
  name: string;
  script: string;
  env: Record<string, string>;
  sampler: RssSampler;
  /** URL answering 200 once the process is ready. */
  readyUrl?: string;
  /** TCP port that accepts connections once the process is ready. */
  readyPort?: number;
  /** Extra node flags, e.g. --cpu-prof (BENCH_CPU_PROF=<dir> adds it to every child). */
  nodeArgs?: readonly string[];
}

async function waitReady(opts: SpawnOptions, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${opts.name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`);
    }
    try {
      if (opts.readyUrl) {
        const res = await fetch(opts.readyUrl, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } else if (opts.readyPort) {
        const { connect } = await import('node:net');
        await new Promise<void>((resolve, reject) => {
          const socket = connect(opts.readyPort as number, '127.0.0.1', () => {
            socket.destroy();
            resolve();
          });
          socket.once('error', reject);
        });
        return;
      } else return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${opts.name} was not ready within 30 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `node <script>` as a child process with the given environment and waits until it is ready. */
export async function spawnNode(opts: SpawnOptions): Promise<RunningProcess> {
  const profDir = process.env.BENCH_CPU_PROF;
  const nodeArgs = [...(opts.nodeArgs ?? []), ...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [])];
  const child = spawn(process.execPath, [...nodeArgs, opts.script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const pid = child.pid as number;
  liveChildren.add(child);
  opts.sampler.track(pid, opts.name);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      liveChildren.delete(child);
      resolve();
    }),
  );
  const stop = async () => {
    opts.sampler.untrack(pid);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timeout);
  };
  try {
    await waitReady(opts, child, () => tail);
    opts.sampler.ready(pid, opts.name);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: opts.name, pid, stop, exited: () => child.exitCode !== null || child.signalCode !== null };
}

let built = false;

/**
 * Starts a service as it runs everywhere: built (`services/<name>/dist/main.js`, scripts/build.ts)
 * with its own flags, configured only by the contract's env vars.
 */
export function startService(name: ServiceName, env: Record<string, string>, sampler: RssSampler, readyUrl: string) {
  if (!built) buildWorkspace();
  built = true;
  return spawnNode({
    name,
    script: serviceScript(name),
    // BENCH_NODE_OPTIONS (space-separated) tries other flags: they come after the services' own,
    // so they win over them (e.g. --max-semi-space-size=8).
    nodeArgs: [...serviceNodeFlags(name), ...(process.env.BENCH_NODE_OPTIONS?.split(/\s+/).filter(Boolean) ?? [])],
    env: {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...env,
    },
    sampler,
    readyUrl,
  });
}
