import Fastify from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { kaikuFastifyOptions, registerHealthRoutes } from '../src/index.ts';

function appWith(mayIgnore?: string[]) {
  const app = Fastify(kaikuFastifyOptions(pino({ level: 'silent' })));
  const down = async () => {
    throw new Error('connection refused');
  };
  registerHealthRoutes(app, { postgres: down, redis: down }, mayIgnore ? { mayIgnore } : {});
  return app;
}

describe('/readyz?ignore=', () => {
  it('reports an ignorable dependency without failing on it, and still fails on the others', async () => {
    const app = appWith(['redis']);
    const res = await app.inject('/readyz?ignore=Redis');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ failing: ['postgres'], checks: { redis: 'unavailable: connection refused' } });
  });

  // A left-alone note: any name was taken, so a load balancer's health check could be written to
  // hide a Postgres outage, and a misspelt one (`ignore=reddis`) looked as if it worked.
  it.each([
    ['postgres', '"postgres" cannot be ignored (only redis may be)'],
    ['reddis', '"reddis" cannot be ignored (only redis may be)'],
    ['redis,postgres', '"postgres" cannot be ignored'],
  ])('refuses ignore=%s with a problem naming it', async (ignore, detail) => {
    const res = await appWith(['redis']).inject(`/readyz?ignore=${ignore}`);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().detail).toContain(detail);
  });

  it('refuses every name on a service that is ready only with all its dependencies', async () => {
    const res = await appWith().inject('/readyz?ignore=redis');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ checks: ['postgres', 'redis'] });
    expect(res.json().detail).toContain('this service is ready only with all of them');
  });
});
