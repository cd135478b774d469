// Fault-injection helpers: a TCP proxy that can be cut (the throwaway redis-server and free ports are @kaiku/testing's).
import { createHmac } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { KEYS_ENV, type ServiceProcess, startService, writeTestConfig } from '../ops-helpers.ts';

export { freePort, startThrowawayRedis, type ThrowawayRedis } from '@kaiku/testing';

/**
 * A real ingest process (HTTP and MLLP on ports of its own) whose database is reached through
 * `proxy`, with a Lifecare token: the fault tests' subject.
 */
export function startIngestBehind(
  proxy: { port: number },
  env: { databaseUrl: string; redisUrl: string; prefix: string },
  token: string,
  extra: Record<string, string> = {},
): Promise<ServiceProcess> {
  return startService('ingest', {
    ...KEYS_ENV,
    DATABASE_URL: viaPort(env.databaseUrl, proxy.port),
    REDIS_URL: env.redisUrl,
    KAIKU_QUEUE_PREFIX: env.prefix,
    KAIKU_CONFIG: writeTestConfig(),
    INGEST_TOKENS: `lifecare:${token}`,
    INGEST_PORT: '0',
    MLLP_PORT: '0',
    ...extra,
  });
}

export interface TcpProxy {
  port: number;
  /** Connections made through the proxy so far. */
  readonly connections: number;
  /**
   * The fail-over as a client sees it: every open connection is reset and new ones are reset at
   * once, until `restore()`.
   */
  cut: () => void;
  restore: () => void;
  /**
   * A silent partition: connections stay open, new ones are taken, and no byte goes either way
   * until `thaw()` (what a frozen server or a dropped route looks like to a client).
   */
  freeze: () => void;
  thaw: () => void;
  close: () => Promise<void>;
}

/** A TCP proxy on a random loopback port to `target` (e.g. Postgres), which the test can cut. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let down = false;
  let frozen = false;
  let count = 0;
  const flow = ([client, upstream]: [Socket, Socket]) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const server: Server = createServer((client) => {
    count++;
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      open.delete(client);
      open.delete(upstream);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    if (!frozen) flow(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const resetAll = () => {
    for (const s of open) if (!s.destroyed) s.resetAndDestroy();
    open.clear();
  };
  return {
    port,
    get connections() {
      return count;
    },
    cut: () => {
      down = true;
      resetAll();
    },
    restore: () => {
      down = false;
    },
    freeze: () => {
      frozen = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    thaw: () => {
      frozen = false;
      for (const pair of pairs) flow(pair);
    },
    close: async () => {
      resetAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `url` with its host and port replaced (a database URL pointed at the proxy). */
export function viaPort(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}

/** Runs `fn` for each item with at most `width` in flight. */
export async function inParallel<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        results[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return results;
}

/**
 * X-Twilio-Signature as Twilio computes it: HMAC-SHA1 of the URL followed by every POST parameter
 * (name then value, names sorted), base64.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}
