// Postgres that goes silent (a partition, a frozen server: connections stay open and nothing comes
// back), and a database that refuses connections. A resilience probe found ingest holding requests
// and MLLP messages for as long as the silence lasted (ten minutes), then storing what the clients
// had given up on; and a database refusing connections answered 500. Now: 503, `AR`, at once or
// within the query timeout, and the visit goes in when the record system sends it again.
import { connect } from 'node:net';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv, waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hl7Time, hl7With } from '../../services/ingest/test/helpers.ts';
import { hetu, mllpPortOf, phone, type ServiceProcess, visit } from '../ops-helpers.ts';
import { startIngestBehind, startTcpProxy, type TcpProxy } from './helpers.ts';

const TOKEN = 'silent-pg-lifecare-token';

/** One MLLP message and its ACK's MSA fields (or null when the connection closed without one). */
function sendMllp(port: number, bytes: Buffer): Promise<string[] | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf(Buffer.of(0x1c, 0x0d));
      if (end < 0) return;
      const msa = buf
        .subarray(1, end)
        .toString('latin1')
        .split('\r')
        .find((l) => l.startsWith('MSA|'));
      socket.destroy();
      resolve(msa?.split('|') ?? null);
    });
    socket.on('close', () => resolve(null));
    socket.on('error', () => resolve(null));
    socket.write(Buffer.concat([Buffer.of(0x0b), bytes, Buffer.of(0x1c, 0x0d)]));
  });
}

describe('Postgres silent or refusing connections, under ingest', () => {
  let env: TestEnv;
  let pool: Pool;
  let proxy: TcpProxy;
  let ingest: ServiceProcess | undefined;
  const dbName = () => new URL(env.databaseUrl).pathname.slice(1);

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    const db = new URL(env.databaseUrl);
    proxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
  });
  afterAll(async () => {
    await ingest?.stop('SIGKILL');
    proxy?.thaw();
    await proxy?.close();
    await pool?.end();
    await env?.cleanup();
  });

  it('answers 503 and AR while the link is silent, not when it comes back; the resends are stored once', { timeout: 120_000 }, async () => {
    ingest = await startIngestBehind(proxy, env, TOKEN);
    const mllpPort = await mllpPortOf(ingest);
    const post = (i: number) =>
      fetch(`${ingest?.url}/v1/visits`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(visit(i, 'SILENT')),
        // far longer than the query timeout: an answer must come before this
        signal: AbortSignal.timeout(60_000),
      });
    const code = hetu(20_001);
    const hl7 = hl7With('a03-adult-fi', {
      'PID-7': `19${code.slice(4, 6)}${code.slice(2, 4)}${code.slice(0, 2)}`,
      'MSH-10': 'SILENT-C-1',
      'PV1-19.1': 'SILENT-HL7-1',
      'PV1-45': hl7Time(new Date(Date.now() - 3600_000)),
      'PID-3.1': code,
      'PID-13.1': phone(20_001).e164,
    });
    // Warm: the pool holds open connections, which the silence then swallows.
    expect((await post(1)).status).toBe(201);

    proxy.freeze();
    const [res, ack] = await Promise.all([post(2), sendMllp(mllpPort, hl7)]);
    // Answered while the link is still silent.
    expect([res.status, res.headers.get('content-type'), res.headers.get('retry-after')]).toEqual([
      503,
      expect.stringMatching(/problem\+json/),
      '5',
    ]);
    expect(ack?.[1]).toBe('AR');
    proxy.thaw();

    // The record systems send again: stored, once.
    await waitFor(async () => (await post(2)).ok, 30_000, 'the visit resent after the silence');
    await waitFor(async () => (await sendMllp(mllpPort, hl7))?.[1] === 'AA', 30_000, 'the HL7 message resent');
    const { rows } = await pool.query<{ id: string; n: number }>(
      `SELECT source_visit_id AS id, count(*)::int AS n FROM visits WHERE source_visit_id IN ($1, $2, 'SILENT-HL7-1') GROUP BY 1 ORDER BY 1`,
      [visit(1, 'SILENT').visitId, visit(2, 'SILENT').visitId],
    );
    expect(rows.map((r) => r.n)).toEqual([1, 1, 1]);
  });

  it('answers 503, not 500, while the database refuses connections', { timeout: 60_000 }, async () => {
    const admin = createPool(env.databaseUrl.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), { max: 1 });
    try {
      await admin.query(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
        dbName(),
      ]);
      // (twice: the first may still meet a connection of the pool's that was just ended)
      for (let attempt = 0; attempt < 2; attempt++) {
        const res = await fetch(`${ingest?.url}/v1/visits`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify(visit(3, 'SILENT')),
        });
        expect([res.status, res.headers.get('content-type')]).toEqual([503, expect.stringMatching(/problem\+json/)]);
      }
    } finally {
      await admin.query(`ALTER DATABASE "${dbName()}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
  });
});
