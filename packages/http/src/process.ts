import type { Logger } from 'pino';

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits 0. `stop` must first stop taking work (close the
 * HTTP server, the worker), then wait for what is in flight, then close queue, pool and Redis.
 * If that takes longer than `timeoutMs`, or a second signal comes, the process exits 1: in-flight
 * work is then abandoned, which the design tolerates (acknowledged visits are committed, an
 * interrupted send becomes `unknown` and is never retried blindly). A signal within `repeatMs` of
 * the first is the same request, not a second one: Ctrl-C under `pnpm start` reaches a service
 * twice (from the terminal's process group, then from the script that started it). For main.ts
 * files only.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, timeoutMs = 10_000, repeatMs = 2000) {
  let stopping = false;
  let firstAt = 0;
  const handler = (signal: string) => {
    if (stopping) {
      if (Date.now() - firstAt < repeatMs) {
        logger.info({ signal }, 'the same stop request again; still finishing what is in flight');
        return;
      }
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    firstAt = Date.now();
    stopping = true;
    const started = Date.now();
    logger.info({ signal, timeoutMs }, 'shutting down: no new work, finishing what is in flight');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        logger.info({ ms: Date.now() - started }, 'stopped');
        process.exit(0);
      },
      (error) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => handler('SIGINT'));
  process.on('SIGTERM', () => handler('SIGTERM'));
}

/**
 * Node's process warnings (a library's negative timer, a deprecation) as log lines of their own,
 * instead of Node's plain text on stderr, which breaks a log pipeline that reads JSON lines (a
 * rolling-restart probe saw `TimeoutNegativeWarning` from BullMQ's rate-limit wait). For main.ts
 * files only; returns a function that puts Node's own printing back (for tests).
 */
export function logProcessWarnings(logger: Logger): () => void {
  const nodes = process.listeners('warning');
  process.removeAllListeners('warning');
  const log = (warning: Error & { code?: string }) => logger.warn({ warning: warning.name, code: warning.code }, warning.message);
  process.on('warning', log);
  return () => {
    process.off('warning', log);
    for (const listener of nodes) process.on('warning', listener);
  };
}

/** Prints a start-up failure (e.g. a ConfigError listing every bad key) and exits 1. */
export function exitOnStartupError(service: string, error: unknown): never {
  console.error(`${service}: cannot start: ${(error as Error).message}`);
  process.exit(1);
}

/** Listens, or exits 1 saying where it could not (a port in use, a HOST that is not this machine's). */
export async function listenOrExit<T>(service: string, where: string, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    return exitOnStartupError(service, new Error(`cannot listen on ${where}: ${(error as Error).message}`));
  }
}
