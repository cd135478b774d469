// Garbage at the doors: 10,000 random and mutated MLLP frames and HTTP bodies → every one answered
// (an ACK or a 4xx), never a 500, the process alive, memory flat. And a client that sends one byte a
// second holds only its own connection.
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMllpServer, type MllpServer } from '../../services/ingest/src/mllp/mllp-server.ts';
import {
  fixture,
  hl7Time,
  hl7With,
  type IngestHarness,
  silent,
  startIngest,
  testHetu,
  uniqueId,
} from '../../services/ingest/test/helpers.ts';
import { inParallel } from '../reliability/helpers.ts';

const FRAMES = 5000;
const BODIES = 5000;

/** A small seeded PRNG (mulberry32), so a failing input can be made again. */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random bytes, or a valid message with bytes flipped, cut short, or spliced into itself. */
function garbage(rand: () => number, valid: Buffer): Buffer {
  const kind = Math.floor(rand() * 4);
  if (kind === 0) return Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 600) }, () => Math.floor(rand() * 256)));
  const out = Buffer.from(valid);
  if (kind === 1) for (let k = 0; k < 1 + rand() * 8; k++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
  if (kind === 2) return out.subarray(0, Math.floor(rand() * out.length));
  if (kind === 3) {
    const at = Math.floor(rand() * out.length);
    return Buffer.concat([out.subarray(0, at), out.subarray(Math.floor(rand() * out.length))]);
  }
  return out;
}

/** Memory after a full garbage collection: the resident set and the live heap. */
function memory(): { rss: number; heap: number } {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss: rss / 1024 / 1024, heap: (heapUsed + external) / 1024 / 1024 };
}

/** An MLLP connection: write frames, count the ACK frames that come back. */
function mllp(port: number): Promise<{ socket: Socket; acks: () => number; waitAcks: (n: number) => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let count = 0;
    let waiter: (() => void) | null = null;
    let target = 0;
    socket.on('data', (chunk: Buffer) => {
      for (const byte of chunk) if (byte === 0x1c) count++;
      if (waiter && count >= target) waiter();
    });
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        acks: () => count,
        waitAcks: (n) =>
          new Promise<void>((res, rej) => {
            if (count >= n) return res();
            target = n;
            // One 'close' listener per wait, taken off when the ACKs came (eleven waits warned of a leak).
            const closed = () => (count >= n ? res() : rej(new Error(`connection closed after ${count} of ${n} ACKs`)));
            waiter = () => {
              socket.off('close', closed);
              res();
            };
            socket.once('close', closed);
          }),
      }),
    );
  });
}

describe('fuzz: random and mutated input at every ingest door', () => {
  let h: IngestHarness;
  let server: MllpServer;
  let port: number;
  beforeAll(async () => {
    h = await startIngest();
    server = createMllpServer({ handleHl7: h.pipeline.handleHl7, logger: silent, maxFrameBytes: 64 * 1024 });
    port = (await server.listen(0)).port;
  });
  afterAll(async () => {
    await server?.close(1000);
    await h?.close();
  });

  const validHl7 = () =>
    hl7With('a03-adult-fi', {
      'MSH-10': uniqueId('FZ'),
      'PV1-19.1': uniqueId('FZV'),
      'PV1-45': hl7Time(new Date(Date.now() - 3600_000)),
      'PID-3.1': testHetu(),
    });

  it(`${FRAMES} MLLP frames and ${BODIES} HTTP bodies: each answered, no 500, memory flat`, { timeout: 240_000 }, async () => {
    const rand = prng(20_260_312);
    const fhir = fixture('pegasos/bundle-visit-finished-en.json');
    const canonical = fixture('canonical/visit-ended.json');
    const doors = [
      { path: '/v1/sources/lifecare/hl7', token: 'lc-token', type: 'x-application/hl7-v2+er7', valid: validHl7 },
      { path: '/v1/sources/pegasos/fhir', token: 'pg-token', type: 'application/fhir+json', valid: () => fhir },
      { path: '/v1/visits', token: 'lc-token', type: 'application/json', valid: () => canonical },
    ];
    const statuses: Record<number, number> = {};

    const round = async (frames: number, bodies: number) => {
      // MLLP: four connections, frames written in bursts, every frame must get its ACK.
      const perConnection = Math.floor(frames / 4);
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          const c = await mllp(port);
          for (let sent = 0; sent < perConnection; sent += 50) {
            const burst = Array.from({ length: Math.min(50, perConnection - sent) }, () => {
              const bytes = garbage(rand, validHl7()).filter((b) => b !== 0x0b && b !== 0x1c);
              return Buffer.concat([Buffer.of(0x0b), Buffer.from(bytes), Buffer.of(0x1c, 0x0d)]);
            });
            c.socket.write(Buffer.concat(burst));
            await c.waitAcks(sent + burst.length);
          }
          c.socket.destroy();
        }),
      );
      // HTTP: random and mutated bodies at each door, with its right token (so the parsers run).
      await inParallel(Array.from({ length: bodies }), 12, async () => {
        const door = doors[Math.floor(rand() * doors.length)] as (typeof doors)[number];
        const res = await fetch(`${h.url}${door.path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${door.token}`, 'content-type': door.type },
          body: garbage(rand, door.valid()),
        });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      });
    };

    await round(1000, 1000); // warm-up: JIT, pools, caches, the heap at its working size
    const before = memory();
    await round(FRAMES - 1000, BODIES - 1000);
    const after = memory();
    const growth = { rss: after.rss - before.rss, heap: after.heap - before.heap };

    expect(
      Object.keys(statuses).filter((s) => Number(s) >= 500),
      JSON.stringify(statuses),
    ).toEqual([]);
    expect(statuses[400] ?? 0, 'most garbage is refused clearly').toBeGreaterThan(BODIES / 4);
    // Bounded generously: a leak of even a few hundred bytes per request would pass 4 MB of live heap
    // over 8,000 requests; RSS also holds freed pages the allocator keeps.
    expect(growth.heap, `live heap and buffers grew ${growth.heap.toFixed(1)} MB`).toBeLessThan(32);
    expect(growth.rss, `RSS grew ${growth.rss.toFixed(1)} MB`).toBeLessThan(200);
    const health = await fetch(`${h.url}/healthz`);
    expect(health.status).toBe(200);
    console.info(
      `[abuse] fuzz: ${FRAMES} MLLP frames, ${BODIES} HTTP bodies, statuses ${JSON.stringify(statuses)}, RSS ${before.rss.toFixed(0)} → ${after.rss.toFixed(0)} MB, live heap and buffers ${before.heap.toFixed(0)} → ${after.heap.toFixed(0)} MB`,
    );
  });

  it('a client sending one byte a second holds only its own connection', { timeout: 60_000 }, async () => {
    const slow = await mllp(port);
    const message = Buffer.concat([Buffer.of(0x0b), validHl7(), Buffer.of(0x1c, 0x0d)]);
    let dripped = 0;
    const drip = setInterval(() => {
      if (dripped < 6) slow.socket.write(message.subarray(dripped, ++dripped));
    }, 1000);
    try {
      // Meanwhile ten other senders each get their 5 messages acknowledged.
      const others = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const c = await mllp(port);
          c.socket.write(
            Buffer.concat(Array.from({ length: 5 }, () => Buffer.concat([Buffer.of(0x0b), validHl7(), Buffer.of(0x1c, 0x0d)]))),
          );
          await c.waitAcks(5);
          c.socket.destroy();
          return c.acks();
        }),
      );
      expect(others).toEqual(Array(10).fill(5));
      expect(slow.acks()).toBe(0);
      await waitFor(() => dripped === 6, 20_000, 'six bytes dripped');
    } finally {
      clearInterval(drip);
    }
    // The slow sender finishes its message and gets its ACK too.
    slow.socket.write(message.subarray(dripped));
    await slow.waitAcks(1);
    slow.socket.destroy();
  });
});
