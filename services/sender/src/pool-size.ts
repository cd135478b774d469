import { createPool } from '@kaiku/db';
import type { Logger } from 'pino';

/**
 * The pool size to use: the configured one, but never more than a quarter of the connections the
 * Postgres server gives ordinary users (max_connections less the reserved ones), so one sender can
 * not take the connections the other services need. When the server can't be asked at start-up,
 * the configured size stands (the pool connects later, when the database is back).
 */
export async function connectionsAllowed(databaseUrl: string, configured: number, logger: Logger): Promise<number> {
  const probe = createPool(databaseUrl, { max: 1, applicationName: 'kaiku-sender' });
  try {
    const { rows } = await probe.query<{ usable: number }>(
      `SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
              - COALESCE(current_setting('reserved_connections', true)::int, 0) AS usable`,
    );
    const share = Math.max(1, Math.floor((rows[0]?.usable ?? configured * 4) / 4));
    if (configured > share) {
      logger.warn(
        { configured, usable: rows[0]?.usable, poolSize: share },
        'SENDER_DB_POOL_SIZE is more than a quarter of what Postgres allows; using less',
      );
      return share;
    }
    return configured;
  } catch (error) {
    logger.warn({ err: { message: (error as Error).message } }, 'could not read max_connections at start-up; using SENDER_DB_POOL_SIZE');
    return configured;
  } finally {
    await probe.end().catch(() => {});
  }
}
