// `pnpm db:migrate`: applies the SQL migrations to DATABASE_URL (creating the database if needed).
import { commonEnv, parseEnv } from '@kaiku/config';
import { z } from 'zod';
import { migrate } from './migrate.ts';

try {
  const env = parseEnv(z.object({ DATABASE_URL: commonEnv.DATABASE_URL }), process.env);
  const applied = await migrate(env.DATABASE_URL);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
} catch (error) {
  console.error(`migration failed: ${(error as Error).message}`);
  process.exit(1);
}
