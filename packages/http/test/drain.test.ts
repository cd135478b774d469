import { Agent, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { drainConnections, kaikuFastifyOptions, registerHealthRoutes } from '../src/index.ts';

// A rolling-restart probe: a replies instance stopped with SIGTERM under load reset the webhooks
// on its kept-alive connections and refused one with 503; Twilio sends neither again, so four
// patients' answers were lost.

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function started(): Promise<{ app: FastifyInstance; port: number }> {
  const built = Fastify(kaikuFastifyOptions(pino({ level: 'silent' })));
  registerHealthRoutes(built, {});
  built.post('/v1/twilio/inbound', async () => ({ stored: true }));
  await built.listen({ port: 0, host: '127.0.0.1' });
  app = built;
  return { app: built, port: (built.server.address() as AddressInfo).port };
}

function post(port: number, agent: Agent, path = '/v1/twilio/inbound') {
  return new Promise<{ status: number; connection: string | undefined; socket: object }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, socket: req.socket as object }));
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

describe('a graceful stop', () => {
  it('goes on answering on a kept-alive connection while it drains, ends that connection after the answer, and tells a load balancer it is stopping', async () => {
    const { app, port } = await started();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await post(port, agent);
    expect(first).toMatchObject({ status: 200, connection: 'keep-alive' });

    const drained = drainConnections(app, 300);
    // The connection was idle when the stop began; the next answer comes on it, and ends it.
    await new Promise((r) => setTimeout(r, 50));
    const during = await post(port, agent);
    expect(during).toMatchObject({ status: 200, connection: 'close' });
    expect(during.socket).toBe(first.socket);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'stopping' });

    await drained;
    await app.close();
    await expect(post(port, new Agent())).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
  });

  it('answers a request that was arriving when the close began, instead of refusing it with 503', async () => {
    const { app, port } = await started();
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /v1/twilio/inbound HTTP/1.1\r\nHost: kaiku\r\nContent-Type: application/json\r\nContent-Length: 2\r\n');
    await new Promise((r) => setTimeout(r, 50));
    let answer = '';
    socket.on('data', (d) => {
      answer += d.toString('latin1');
    });
    const closed = new Promise((r) => socket.on('close', r));
    const closing = app.close();
    setTimeout(() => socket.write('\r\n{}'), 50);
    await closed;
    await closing;
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
  });
});
