// After a run: search every text, bytea and json column of every table in Postgres, every key and
// value under the run's Redis prefix, and the log lines, for the hetus and phone numbers used.
import type { Pool } from '@kaiku/db';
import { createRedis } from '@kaiku/queue';
import { containsPersonalData } from '@kaiku/testing';

export interface Finding {
  where: string;
  what: string;
}

/** The ways a phone number can be written: E.164, digits only, national with and without spaces. */
function phoneForms(e164: string): string[] {
  const national = `0${e164.slice(4)}`;
  return [e164, e164.slice(1), national, `${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`];
}

export async function scanForPersonalData(o: {
  pool: Pool;
  redisUrl: string;
  prefix: string;
  logLines: string[];
  hetus: string[];
  phones: string[];
}): Promise<{ findings: Finding[]; scanned: { columns: number; rows: number; redisKeys: number; logLines: number } }> {
  const needles = [
    ...o.hetus.map((h) => ({ kind: 'hetu', text: h })),
    ...o.phones.flatMap((p) => phoneForms(p).map((text) => ({ kind: 'phone', text }))),
  ];
  const findings: Finding[] = [];
  const search = (where: string, haystack: string) => {
    for (const n of needles) if (containsPersonalData(haystack, n.text)) findings.push({ where, what: `${n.kind} ${n.text.slice(0, 4)}…` });
  };

  const { rows: columns } = await o.pool.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')`,
  );
  let rows = 0;
  for (const c of columns) {
    const { rows: values } = await o.pool.query<{ v: string | null }>(
      `SELECT encode(convert_to(${`"${c.column_name}"`}::text, 'UTF8'), 'escape') AS v FROM "${c.table_name}"`,
    );
    rows += values.length;
    for (const { v } of values) if (v) search(`postgres ${c.table_name}.${c.column_name}`, v);
  }

  const redis = createRedis(o.redisUrl);
  await redis.ping();
  let redisKeys = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${o.prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        redisKeys++;
        search(`redis key ${key}`, key);
        const type = await redis.type(key);
        const value =
          type === 'string'
            ? await redis.get(key)
            : type === 'hash'
              ? JSON.stringify(await redis.hgetall(key))
              : type === 'list'
                ? JSON.stringify(await redis.lrange(key, '0', '-1'))
                : type === 'set'
                  ? JSON.stringify(await redis.smembers(key))
                  : type === 'zset'
                    ? JSON.stringify(await redis.zrange(key, '0', '-1'))
                    : type === 'stream'
                      ? JSON.stringify(await redis.xrange(key, '-', '+'))
                      : '';
        if (value) search(`redis ${type} ${key}`, value);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }

  for (const [i, line] of o.logLines.entries()) search(`log line ${i}`, line);
  return { findings, scanned: { columns: columns.length, rows, redisKeys, logLines: o.logLines.length } };
}
