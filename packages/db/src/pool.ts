import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// Dates stay strings (YYYY-MM-DD): a date column is a calendar day, not an instant.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// bigint counts fit in a JS number for our sizes.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * The connection string without its own `options` (server settings, `?options=-c …`), and those
 * settings: pg takes them from the string over the pool's, so the two are joined here instead.
 */
function splitOptions(databaseUrl: string): { url: string; options: string } {
  try {
    const url = new URL(databaseUrl);
    const options = url.searchParams.get('options') ?? '';
    url.searchParams.delete('options');
    return { url: url.toString(), options };
  } catch {
    return { url: databaseUrl, options: '' }; // not a URL: pg reads it as it is
  }
}

/**
 * How long a query may go without an answer before it fails as unavailable (503, HL7 `AR`): a link
 * that went silent (a partition, a frozen server) otherwise held requests and MLLP connections for
 * as long as it lasted, and stored what their clients had given up on. Kaiku's statements take
 * milliseconds; `queryTimeoutMs: 0` (tools that load data) waits without a limit.
 */
export const QUERY_TIMEOUT_MS = 15_000;

export function createPool(
  databaseUrl: string,
  options: { max?: number; applicationName?: string; timeZone?: string; queryTimeoutMs?: number } = {},
): Pool {
  const given = options.timeZone ? splitOptions(databaseUrl) : { url: databaseUrl, options: '' };
  const pool = new pg.Pool({
    connectionString: given.url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'kaiku',
    // The county's time zone for the session: `now() + 7 days` is then seven calendar days there
    // (the answer window keeps its hour across a DST change), whatever the server's own zone, and
    // whatever settings DATABASE_URL carries (the zone comes last, so it wins over theirs).
    ...(options.timeZone ? { options: [given.options, `-c TimeZone=${options.timeZone}`].filter(Boolean).join(' ') } : {}),
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    ...((options.queryTimeoutMs ?? QUERY_TIMEOUT_MS) > 0 ? { query_timeout: options.queryTimeoutMs ?? QUERY_TIMEOUT_MS } : {}),
    // A connection whose peer went away without a word is found out by the kernel too.
    keepAlive: true,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor a checked-out client that loses it between two queries (e.g. the outbox relay while it
  // waits on Redis): its next query fails as unavailable and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Runs `fn` in one transaction; rolls back on any error. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = await abandonTransaction(client, error);
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * After a transaction failed: rolls it back, or, when its connection timed out or went away, does
 * not try and returns the error to give `release`, so that the connection is closed, not handed to
 * the next caller.
 */
export async function abandonTransaction(client: PoolClient, error: unknown): Promise<Error | undefined> {
  if (isDatabaseUnavailable(error)) return error as Error;
  await client.query('ROLLBACK').catch(() => {});
  return undefined;
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '53300',
  // a read-only database (a standby during a fail-over): writes go again once the primary is back
  '25006',
  // a database without Kaiku's tables or functions yet (not migrated): not ready, rather than a bug
  '42P01',
  '42883',
]);

/** A database that refuses connections for now (`ALTER DATABASE … ALLOW_CONNECTIONS false`, being dropped or recreated). */
const NOT_ACCEPTING = /is not currently accepting connections/i;

/** True when the database could not be reached or went away (retry later), not a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: string; message?: string };
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  const message = e.message ?? '';
  if (e.code === '55000' && NOT_ACCEPTING.test(message)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error|Query read timeout/i.test(
    message,
  );
}
