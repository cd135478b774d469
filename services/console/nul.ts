import { parseKaikuConfig } from '@kaiku/config';
import { createPool } from '@kaiku/db';
import pino from 'pino';
import { buildConsoleApp } from '/work/main/services/console/src/app.ts';

const pool = createPool('postgres://postgres@127.0.0.1:5432/kaiku_test_71ffa8e2_tpl');
const app = buildConsoleApp({
  pool,
  kaiku: parseKaikuConfig({ units: [{ id: '1.2.246.10.1.10.1', name: { fi: 'x' }, service: 'dental' }] }),
  logger: pino({ level: 'silent' }),
  token: 'tok',
});
for (const url of [
  '/v1/reports/nps?from=2026-01-01&to=2026-01-31&unit=%00',
  '/v1/reports/nps?from=2026-01-01&to=2026-01-31&source=a%00',
  '/v1/reports/funnel?from=2026-01-01&to=2026-01-31&service=%00',
  '/v1/reports/comments?from=2026-01-01&to=2026-01-31&unit=1.2%00',
  '/v1/exports/responses.csv?from=2026-01-01&to=2026-01-31&unit=%00x',
  '/?unit=%00&lang=fi',
  '/v1/reports/targets?from=2026-01-01&to=2026-01-31&targetNps=%00',
]) {
  const r = await app.inject({ url, headers: { authorization: 'Bearer tok', cookie: '' } });
  console.log(r.statusCode, url);
}
await app.close();
await pool.end();
