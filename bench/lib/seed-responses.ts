import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { UNIT_COUNT, UNITS, unitService } from './fake-visits.ts';

const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75+'];
const AGE_WEIGHTS = [6, 10, 12, 14, 18, 22, 18];
const SCORE_WEIGHTS = [2, 1, 1, 2, 2, 4, 6, 9, 16, 25, 32]; // NPS-like: mostly 8–10

function picker(values: string[] | number[], weights: number[]) {
  const table: Array<string | number> = [];
  weights.forEach((w, i) => {
    for (let k = 0; k < w; k++) table.push(values[i] as string | number);
  });
  return (r: number) => table[r % table.length];
}
const pickAge = picker(AGE_BANDS, AGE_WEIGHTS) as (r: number) => string;
const pickScore = picker([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], SCORE_WEIGHTS) as (r: number) => number;
const pickLang = (r: number) => (r % 100 < 88 ? 'fi' : r % 100 < 96 ? 'sv' : 'en');

const uuid = (prefix: string, i: number) => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

/** Runs psql with `commands` (each a -c). */
async function psql(databaseUrl: string, commands: string[]): Promise<void> {
  const child = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, ...commands.flatMap((c) => ['-c', c])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`psql failed (${code}): ${stderr.slice(0, 500)}`);
}

/**
 * Writes `produce`'s rows to a temporary file, then loads it with psql's `\copy … FROM <file>`
 * after the `before` commands (same session). Generating first and loading after keeps the two
 * from fighting over this machine's two cores.
 */
async function copyFromFile(databaseUrl: string, before: string[], copy: string, produce: (write: (s: string) => void) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'kaiku-bench-copy-'));
  const file = join(dir, 'rows.tsv');
  const fd = openSync(file, 'w');
  try {
    produce((chunk) => writeSync(fd, chunk));
  } finally {
    closeSync(fd);
  }
  try {
    await psql(databaseUrl, [...before, `${copy} FROM '${file}'`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const DAY_MS = 86_400_000;

async function tableOf(client: pg.Client, constraint: string): Promise<string> {
  const { rows } = await client.query<{ t: string }>('SELECT conrelid::regclass::text AS t FROM pg_constraint WHERE conname = $1', [
    constraint,
  ]);
  return rows[0]?.t as string;
}

/**
 * COPYs `count` responses spread over the 731 days from 2024-01-01, and the matching nps_daily
 * rollup rows (the counters the replies service keeps in the same transaction). Foreign keys are
 * not checked (session_replication_role = replica): the responses stand for answered invitations
 * long since erased.
 */
export async function seedResponses(
  databaseUrl: string,
  count: number,
): Promise<{ responses: number; rollupRows: number; phases: Record<string, number> }> {
  const start = Date.UTC(2024, 0, 1);
  const days = Array.from({ length: 731 }, (_, d) => new Date(start + d * DAY_MS).toISOString().slice(0, 10));
  const rollup = new Map<string, number[]>();
  let x = 0x2545f491;
  const rand = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  // Bulk-load the way a DBA would: indexes dropped and rebuilt after (one sort each instead of 10
  // million index inserts), the table unlogged while it loads. Same schema afterwards.
  const { rows: indexes } = await client.query<{ name: string; def: string; constraint: string | null; condef: string | null }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def, c.conname AS constraint, pg_get_constraintdef(c.oid) AS condef
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
     WHERE x.indrelid = 'responses'::regclass`,
  );
  const { rows: fks } = await client.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE confrelid = 'responses'::regclass`,
  );
  for (const fk of fks) await client.query(`ALTER TABLE ${await tableOf(client, fk.name)} DROP CONSTRAINT "${fk.name}"`);
  for (const ix of indexes) {
    if (ix.constraint) await client.query(`ALTER TABLE responses DROP CONSTRAINT "${ix.constraint}"`);
    else await client.query(`DROP INDEX "${ix.name}"`);
  }
  await client.query('ALTER TABLE responses SET UNLOGGED');
  const phases: Record<string, number> = {};
  let t = performance.now();
  const phase = (name: string) => {
    phases[name] = Math.round(performance.now() - t) / 1000;
    t = performance.now();
  };
  await copyFromFile(
    databaseUrl,
    ['SET session_replication_role = replica'],
    '\\copy responses (id, invitation_id, score, comment, language, answered_at, unit_id, service, visit_day, visit_month, age_band, source)',
    (write) => {
      const CHUNK = 20_000;
      for (let base = 0; base < count; base += CHUNK) {
        const lines: string[] = [];
        for (let i = base; i < Math.min(count, base + CHUNK); i++) {
          const r = rand();
          const day = days[i % days.length] as string;
          const k = r % UNIT_COUNT;
          const unit = UNITS[k] as string;
          const service = unitService(k);
          const source = k % 2 === 0 ? 'lifecare' : 'pegasos';
          const lang = pickLang(r >>> 6);
          const age = pickAge(r >>> 13);
          const score = pickScore(r >>> 20);
          const comment = (r >>> 27) % 5 < 2;
          lines.push(
            `${uuid('00000000', i)}\t${uuid('10000000', i)}\t${score}\t${comment ? 'Hyvä palvelu, kiitos' : '\\N'}\t${lang}\t${day} 14:00:00+02\t${unit}\t${service}\t${day}\t${day.slice(0, 7)}\t${age}\t${source}`,
          );
          const key = `${day}\t${unit}\t${service}\t${lang}\t${age}\t${source}`;
          let c = rollup.get(key);
          if (!c) {
            c = [0, 0, 0, 0, 0, 0];
            rollup.set(key, c);
          }
          if (score >= 9) c[2] = (c[2] as number) + 1;
          else if (score >= 7) c[3] = (c[3] as number) + 1;
          else c[4] = (c[4] as number) + 1;
          if (comment) c[5] = (c[5] as number) + 1;
        }
        write(`${lines.join('\n')}\n`);
      }
    },
  );
  phase('copyResponses');
  await copyFromFile(
    databaseUrl,
    [],
    '\\copy nps_daily (day, unit_id, service, language, age_band, source, sent, delivered, promoters, passives, detractors, comments)',
    (write) => {
      let lines: string[] = [];
      for (const [key, c] of rollup) {
        const answered = (c[2] as number) + (c[3] as number) + (c[4] as number);
        lines.push(`${key}\t${answered * 4}\t${answered * 4 - (answered >> 3)}\t${c[2]}\t${c[3]}\t${c[4]}\t${c[5]}`);
        if (lines.length >= 20_000) {
          write(`${lines.join('\n')}\n`);
          lines = [];
        }
      }
      if (lines.length) write(`${lines.join('\n')}\n`);
    },
  );
  phase('copyRollup');
  await client.query("SET maintenance_work_mem = '256MB'");
  for (const ix of indexes) {
    if (ix.constraint) await client.query(`ALTER TABLE responses ADD CONSTRAINT "${ix.constraint}" ${ix.condef}`);
    else await client.query(ix.def);
  }
  for (const fk of fks) await client.query(`ALTER TABLE ${await tableOf(client, fk.name)} ADD CONSTRAINT "${fk.name}" ${fk.def} NOT VALID`);
  phase('indexes');
  await client.query('ANALYZE responses');
  await client.query('VACUUM ANALYZE nps_daily');
  await client.query('VACUUM ANALYZE nps_monthly').catch(() => {});
  phase('analyze');
  await client.end();
  return { responses: count, rollupRows: rollup.size, phases };
}
