import type { Logger } from 'pino';

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits 0 (1 if stopping failed or took longer than
 * `timeoutMs`). For main.ts files only.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, timeoutMs = 10_000) {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        logger.info('stopped');
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

/** Prints a start-up failure (e.g. a ConfigError listing every bad key) and exits 1. */
export function exitOnStartupError(service: string, error: unknown): never {
  console.error(`${service}: cannot start: ${(error as Error).message}`);
  process.exit(1);
}
