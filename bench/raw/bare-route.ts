// The bound of ingest: a bare Fastify route that does one pg INSERT and one Redis command per
// request and nothing else. Run as a child process, like the services (env: DATABASE_URL,
// REDIS_URL, PORT, PREFIX).
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

const env = process.env;
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 10 });
const redis = new Redis(env.REDIS_URL as string);
const key = `${env.PREFIX}:bare`;
await pool.query(
  'CREATE TABLE IF NOT EXISTS bench_bare (id bigserial PRIMARY KEY, source text NOT NULL, visit_id text NOT NULL, body jsonb NOT NULL)',
);

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
app.get('/healthz', async () => ({ ok: true }));
app.post('/v1/visits', async (request, reply) => {
  const body = request.body as { source?: string; visitId?: string };
  await pool.query('INSERT INTO bench_bare (source, visit_id, body) VALUES ($1, $2, $3)', [
    String(body.source),
    String(body.visitId),
    JSON.stringify(body),
  ]);
  await redis.incr(key);
  return reply.code(201).send({ outcome: 'stored' });
});
process.on('SIGTERM', async () => {
  await app.close();
  await pool.end();
  redis.disconnect();
  process.exit(0);
});
await app.listen({ host: '127.0.0.1', port: Number(env.PORT) });
