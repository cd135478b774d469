import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { afterAll, expect, inject, it } from 'vitest';
import { createRedis } from '../src/redis.ts';

const { redisUrl } = inject('kaikuTestServers');

/** A TCP proxy to Redis whose open links can be made silent (bytes taken, none passed on), as a partition leaves them. */
function silencingProxy(target: URL): { server: Server; silence: () => void; port: () => number } {
  const links: Array<{ live: boolean; sockets: Socket[] }> = [];
  const server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port || 6379), target.hostname);
    const link = { live: true, sockets: [client, upstream] };
    links.push(link);
    client.on('data', (d) => link.live && upstream.write(d));
    upstream.on('data', (d) => link.live && client.write(d));
    for (const s of link.sockets) s.on('error', () => {});
  });
  return {
    server,
    silence: () => {
      for (const link of links) link.live = false;
    },
    port: () => (server.address() as { port: number }).port,
  };
}

const proxy = silencingProxy(new URL(redisUrl));
afterAll(() => void proxy.server.close());

it('drops a connection that went silent and makes it again, so a waiting command still gets its answer', async () => {
  await new Promise<void>((r) => proxy.server.listen(0, '127.0.0.1', () => r()));
  const url = new URL(redisUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port());
  const redis = createRedis(url.toString(), { socketTimeoutMs: 500 });
  try {
    expect(await redis.ping()).toBe('PONG');
    proxy.silence(); // the link stays open, and nothing comes back on it
    const answer = await Promise.race([redis.ping(), new Promise((r) => setTimeout(() => r('no answer in 10 s'), 10_000))]);
    expect(answer).toBe('PONG');
  } finally {
    redis.disconnect();
  }
});
