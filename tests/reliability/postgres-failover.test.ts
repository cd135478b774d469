// Postgres lost during ingest, as the clients of a fail-over see it: a TCP proxy between a real ingest
// process and the (shared, never restarted) Postgres resets every connection and refuses new ones
// for a while. Record systems get 503 or AE, never 500 or AA for what was not stored; after they
// resend, every visit is stored once, with one invitation and one queued job.
import { connect, type Socket } from 'node:net';
import { createPool, type Pool } from '@kaiku/db';
import { createRedis, createSurveySendQueue } from '@kaiku/queue';
import { createTestEnv, type TestEnv, waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hl7Time, hl7With } from '../../services/ingest/test/helpers.ts';
import { hetu, mllpPortOf, phone, type ServiceProcess, visit } from '../ops-helpers.ts';
import { startIngestBehind, startTcpProxy, type TcpProxy } from './helpers.ts';

const TOKEN = 'failover-lifecare-token';
const HTTP_VISITS = 120;
const MLLP_VISITS = 60;

/** An MLLP client that resends a message until it gets `AA`, reconnecting when the socket dies. */
function mllpClient(port: number) {
  let socket: Socket | null = null;
  let buf = Buffer.alloc(0);
  let waiting: ((ack: string | null) => void) | null = null;
  const open = () =>
    new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', reject);
      s.on('data', (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        const start = buf.indexOf(0x0b);
        const end = buf.indexOf(Buffer.of(0x1c, 0x0d));
        if (start >= 0 && end > start) {
          const ack = buf.subarray(start + 1, end).toString('latin1');
          buf = buf.subarray(end + 2);
          waiting?.(ack);
        }
      });
      s.on('close', () => {
        if (socket === s) socket = null;
        waiting?.(null);
      });
      s.on('error', () => {});
    });
  return {
    async send(bytes: Buffer): Promise<string | null> {
      socket ??= await open();
      const answer = new Promise<string | null>((resolve) => {
        waiting = resolve;
      });
      socket.write(Buffer.concat([Buffer.of(0x0b), bytes, Buffer.of(0x1c, 0x0d)]));
      const ack = await answer;
      waiting = null;
      return ack;
    },
    close: () => socket?.destroy(),
  };
}

describe('Postgres fail-over during ingest (a TCP proxy cut and restored)', () => {
  let env: TestEnv;
  let pool: Pool;
  let proxy: TcpProxy;
  let ingest: ServiceProcess | undefined;

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    const db = new URL(env.databaseUrl);
    proxy = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
  });
  afterAll(async () => {
    await ingest?.stop('SIGKILL');
    await proxy?.close();
    await pool?.end();
    await env?.cleanup();
  });

  it('answers 503 or a negative ACK while the database is gone; after resends every visit is stored and queued exactly once', {
    timeout: 180_000,
  }, async () => {
    ingest = await startIngestBehind(proxy, env, TOKEN, { OUTBOX_POLL_MS: '100' });
    const mllpPort = await mllpPortOf(ingest);

    const seen = { http: {} as Record<string, number>, mllp: {} as Record<string, number>, refused: 0 };
    const count = (bucket: Record<string, number>, key: string) => {
      bucket[key] = (bucket[key] ?? 0) + 1;
    };
    let acknowledged = 0;

    const httpClient = async (items: number[]) => {
      for (const i of items) {
        for (let attempt = 0; attempt < 200; attempt++) {
          try {
            const res = await fetch(`${ingest?.url}/v1/visits`, {
              method: 'POST',
              headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
              body: JSON.stringify(visit(i, 'PGFO')),
            });
            const body = (await res.json()) as { outcome?: string };
            count(seen.http, res.ok ? `${res.status} ${body.outcome}` : String(res.status));
            if (res.ok) {
              acknowledged++;
              break;
            }
          } catch {
            seen.refused++;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const hl7Client = async (items: number[]) => {
      const client = mllpClient(mllpPort);
      for (const i of items) {
        const n = 10_000 + i;
        const code = hetu(n);
        const bytes = hl7With('a03-adult-fi', {
          'PID-7': `19${code.slice(4, 6)}${code.slice(2, 4)}${code.slice(0, 2)}`,
          'MSH-10': `PGFO-C-${n}`,
          'PV1-19.1': `PGFO-HL7-${n}`,
          'PV1-45': hl7Time(new Date(Date.now() - 3600_000)),
          'PID-3.1': code,
          'PID-13.1': phone(n).e164,
        });
        for (let attempt = 0; attempt < 200; attempt++) {
          const ack = await client.send(bytes).catch(() => null);
          const msa =
            ack
              ?.split('\r')
              .find((l) => l.startsWith('MSA|'))
              ?.split('|') ?? [];
          const ackCode = msa[1] ?? 'no answer';
          count(seen.mllp, ackCode === 'AA' ? 'AA' : `${ackCode} ${msa[3] ?? ''}`.trim());
          if (ackCode === 'AA') {
            acknowledged++;
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      client.close();
    };

    // The fault: twice, once a share of the visits is in, the database vanishes for 1.5 s.
    const faults = (async () => {
      for (const at of [40, 110]) {
        await waitFor(() => acknowledged >= at, 60_000, `${at} acknowledged visits`);
        proxy.cut();
        await new Promise((r) => setTimeout(r, 400));
        const ready = await fetch(`${ingest?.url}/readyz`).catch((error) => {
          throw new Error(`readyz: ${error.cause?.message}; ingest exit ${ingest?.child.exitCode}\n${ingest?.lines.slice(-15).join('\n')}`);
        });
        expect(ready.status).toBe(503);
        expect(await ready.text()).toContain('postgres');
        await new Promise((r) => setTimeout(r, 1100));
        proxy.restore();
      }
    })();
    const httpItems = Array.from({ length: HTTP_VISITS }, (_, i) => i);
    const mllpItems = Array.from({ length: MLLP_VISITS }, (_, i) => i);
    await Promise.all([
      ...[0, 1, 2, 3].map((k) => httpClient(httpItems.filter((i) => i % 4 === k))),
      ...[0, 1].map((k) => hl7Client(mllpItems.filter((i) => i % 2 === k))),
      faults,
    ]);

    // Clients saw only clear answers: 2xx or 503; AA, or a negative ACK that asks them to send again
    // (ingest answers AR with error 207 in original mode, as HL7 does for a system error; never a 500).
    const httpStatuses = Object.keys(seen.http).map((k) => Number(k.split(' ')[0]));
    expect(
      httpStatuses.every((s) => s === 201 || s === 200 || s === 503),
      JSON.stringify(seen),
    ).toBe(true);
    const unavailable = Object.entries(seen.mllp).filter(([k]) => /^A[ER] /.test(k) && /send it again/.test(k));
    expect(
      Object.keys(seen.mllp).every((c) => c === 'AA' || c === 'no answer' || unavailable.some(([k]) => k === c)),
      JSON.stringify(seen),
    ).toBe(true);
    expect(seen.http['503'] ?? 0, 'HTTP clients felt the fault').toBeGreaterThan(0);
    expect(unavailable.length, 'MLLP clients felt the fault').toBeGreaterThan(0);
    expect(acknowledged).toBe(HTTP_VISITS + MLLP_VISITS);

    // Nothing missing, nothing doubled: one visit and one invitation each, one job per invitation.
    const { rows } = await pool.query<{ source_visit_id: string; invitations: number; id: string | null }>(
      `SELECT v.source_visit_id, count(i.id)::int AS invitations, min(i.id::text) AS id
       FROM visits v LEFT JOIN invitations i ON i.visit_id = v.id GROUP BY v.source_visit_id`,
    );
    const expected = [...httpItems.map((i) => `PGFO-V-${i}`), ...mllpItems.map((i) => `PGFO-HL7-${10_000 + i}`)];
    expect(rows.map((r) => r.source_visit_id).sort()).toEqual(expected.sort());
    expect(rows.every((r) => r.invitations === 1)).toBe(true);
    await waitFor(async () => (await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n === 0, 20_000, 'an empty outbox');
    const redis = createRedis(env.redisUrl);
    const queue = createSurveySendQueue(redis, env.prefix);
    try {
      const jobs = await queue.getJobs(['wait', 'delayed', 'active', 'completed', 'failed', 'prioritized']);
      const ids = jobs.map((j) => j.id as string);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set(rows.map((r) => r.id)));
    } finally {
      await queue.close();
      redis.disconnect();
    }
    const errors = ingest.lines.filter((l) => /"level":(50|60)/.test(l));
    console.info(
      `[reliability] postgres fail-over: ${expected.length} visits, 2 cuts, answers ${JSON.stringify(seen)}, ` +
        `${errors.length} error log lines, lost 0, doubled 0`,
    );
  });
});
