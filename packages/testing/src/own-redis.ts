import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on loopback (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A redis-server of a test's own on a random port, never the shared one, without persistence. */
export interface ThrowawayRedis {
  port: number;
  url: string;
  /** SIGKILL: every key is gone (no persistence), as after a crash of a Redis without its volume. */
  kill: () => Promise<void>;
  /** A fresh, empty redis-server on the same port (the first one, when made with `started: false`). */
  restart: () => Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open and nothing answers (a hung Redis). */
  pause: () => void;
  resume: () => void;
}

function spawnRedis(port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start: ${out.slice(-300)}`)), 15_000);
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}): ${out.slice(-300)}`));
    });
  });
}

/**
 * Starts one (or, with `started: false`, only picks its port: Redis that comes up after the
 * services, as after a reboot where it starts last; `restart()` starts it).
 */
export async function startThrowawayRedis(options: { started?: boolean } = {}): Promise<ThrowawayRedis> {
  const port = await freePort();
  let child: ChildProcess | null = options.started === false ? null : await spawnRedis(port);
  const kill = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      child = await spawnRedis(port);
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
  };
}
