// Every refusal is problem+json, including the ones Fastify and Node's HTTP parser make before a
// route runs: over a real socket, as a client sees them.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kaikuFastifyOptions, registerErrorHandler } from '../src/index.ts';

function send(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('refusals before a route runs', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = Fastify(kaikuFastifyOptions(pino({ level: 'silent' })));
    registerErrorHandler(app);
    app.post('/v1/twilio/status/:id', async () => 'ok');
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  it('answers an over-long path parameter with 414 and a broken %-escape with 400, without echoing the path', async () => {
    const long = await send(port, `/v1/twilio/status/${'a'.repeat(5000)}`);
    expect([long.status, long.type]).toEqual([414, 'application/problem+json; charset=utf-8']);
    expect(JSON.parse(long.body)).toMatchObject({ status: 414, title: 'URI too long' });
    expect(long.body).not.toContain('aaaa');
    const broken = await send(port, '/v1/twilio/status/%ZZ');
    expect([broken.status, broken.type]).toEqual([400, 'application/problem+json; charset=utf-8']);
    expect(JSON.parse(broken.body).detail).toMatch(/%-escape/);
  });

  it('answers headers over the size limit with 431 problem+json', async () => {
    const big = await send(port, '/v1/twilio/status/x', { 'x-padding': 'x'.repeat(20_000) });
    expect([big.status, big.type]).toEqual([431, 'application/problem+json']);
    expect(JSON.parse(big.body)).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });
});
