import { connect, type Socket } from 'node:net';
import { waitFor } from '@kaiku/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMllpServer, frame, type MllpServer } from '../src/mllp/mllp-server.ts';
import { currentA03, type IngestHarness, invitationOf, silent, startIngest } from './helpers.ts';

let h: IngestHarness;
let server: MllpServer;
let port: number;
beforeAll(async () => {
  h = await startIngest();
  server = createMllpServer({ handleHl7: h.pipeline.handleHl7, logger: silent, maxFrameBytes: 64 * 1024 });
  port = (await server.listen(0)).port;
});
afterAll(async () => {
  await server.close();
  await h.close();
});

const message = currentA03;

/** A test client: writes bytes, reads ACK frames in order. */
function client(): Promise<{ socket: Socket; acks: () => Promise<string>; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const frames: string[] = [];
    const waiting: Array<(s: string) => void> = [];
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const start = buf.indexOf(0x0b);
        const end = buf.indexOf(Buffer.of(0x1c, 0x0d));
        if (start < 0 || end < 0) break;
        const ack = buf.subarray(start + 1, end).toString('latin1');
        buf = buf.subarray(end + 2);
        const w = waiting.shift();
        if (w) w(ack);
        else frames.push(ack);
      }
    });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.once('error', reject);
    socket.once('connect', () =>
      resolve({
        socket,
        closed,
        acks: () => {
          const ready = frames.shift();
          return ready !== undefined ? Promise.resolve(ready) : new Promise((r) => waiting.push(r));
        },
      }),
    );
  });
}
const msa = (ack: string) =>
  ack
    .split('\r')
    .find((l) => l.startsWith('MSA|'))
    ?.split('|') ?? [];
const tick = () => new Promise((r) => setImmediate(r));

describe('MLLP listener', () => {
  it('takes several messages in one write and ACKs each in order, after its commit', async () => {
    const c = await client();
    const messages = [message(), message(), message({ 'MSH-9': 'ADT^A01' })];
    c.socket.write(Buffer.concat(messages.map((m) => frame(m.bytes))));
    for (const m of messages.slice(0, 2)) {
      const ack = msa(await c.acks());
      expect(ack.slice(0, 3)).toEqual(['MSA', 'AA', m.controlId]);
      // The ACK is out, so the visit is committed and visible to anyone.
      expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toMatchObject({ status: 'scheduled' });
    }
    expect(msa(await c.acks()).slice(0, 2)).toEqual(['MSA', 'AR']);
    c.socket.end();
  });

  it('reassembles a frame split across many TCP packets, and skips bytes between frames', async () => {
    const c = await client();
    const m = message();
    const bytes = Buffer.concat([Buffer.from('\r\n'), frame(m.bytes)]);
    for (let i = 0; i < bytes.length; i += 7) {
      c.socket.write(bytes.subarray(i, i + 7));
      await tick();
    }
    expect(msa(await c.acks()).slice(1, 3)).toEqual(['AA', m.controlId]);
    c.socket.end();
  });

  it('serves others while one client sits idle in the middle of a frame', async () => {
    const idle = await client();
    idle.socket.write(Buffer.concat([Buffer.of(0x0b), message().bytes.subarray(0, 40)]));
    const busy = await client();
    const m = message();
    busy.socket.write(frame(m.bytes));
    expect(msa(await busy.acks())[1]).toBe('AA');
    expect(server.connectionCount()).toBeGreaterThanOrEqual(2);
    idle.socket.destroy();
    busy.socket.end();
  });

  it('still ACKs a sender that closes its side right after its message', async () => {
    const c = await client();
    const m = message();
    c.socket.end(frame(m.bytes)); // write, then half-close at once
    expect(msa(await c.acks()).slice(1, 3)).toEqual(['AA', m.controlId]);
    await c.closed;
  });

  it('answers AE with the field for a bad message and goes on with the next one', async () => {
    const c = await client();
    const bad = message({ 'PID-3.1': '010181-900D' });
    const good = message();
    c.socket.write(Buffer.concat([frame(bad.bytes), frame(good.bytes)]));
    const first = msa(await c.acks());
    expect(first.slice(1, 3)).toEqual(['AE', bad.controlId]);
    expect(first[3]).toContain('PID-3');
    expect(msa(await c.acks()).slice(1, 3)).toEqual(['AA', good.controlId]);
    c.socket.end();
  });

  it('never puts a frame byte from a broken message into its ACK', async () => {
    const c = await client();
    const stray = message();
    const withStray = Buffer.concat([stray.bytes, Buffer.from('\x0b\x0bZZZ|1\r', 'latin1')]);
    const oddId = message({ 'MSH-10': 'MC\x0b1' });
    c.socket.write(Buffer.concat([frame(withStray), frame(oddId.bytes)]));
    for (const code of ['AR', 'AA']) {
      const ack = await c.acks();
      expect(msa(ack)[1]).toBe(code);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
      expect(ack).not.toMatch(/[\x00-\x0c\x0e-\x1f\x7f]/);
    }
    c.socket.end();
  });

  it('drops a message its sender abandoned mid-frame, unanswered, and takes the next one it sends', async () => {
    for (const cut of [50, 200]) {
      const c = await client();
      const abandoned = message();
      const next = message();
      c.socket.write(Buffer.concat([Buffer.of(0x0b), abandoned.bytes.subarray(0, cut)]));
      await tick();
      c.socket.write(frame(next.bytes));
      // The one ACK is the next message's own; an answer naming the abandoned one would read as the next's.
      expect(msa(await c.acks()).slice(1, 3)).toEqual(['AA', next.controlId]);
      expect(await invitationOf(h.pool, 'lifecare', next.visitId)).toMatchObject({ status: 'scheduled' });
      expect(await invitationOf(h.pool, 'lifecare', abandoned.visitId)).toBeUndefined();
      c.socket.end();
      await c.closed;
    }
  });

  it('bounds the next message from its own start, not the abandoned one’s; a <VT> before "MSHA" abandons nothing', async () => {
    const c = await client();
    // 40 KB abandoned, then a 30 KB message: over the 64 KB bound together, not apart
    const abandoned = message({ 'PID-5.1': 'A'.repeat(40 * 1024) });
    const next = message({ 'PID-5.1': 'B'.repeat(30 * 1024) });
    c.socket.write(Buffer.concat([Buffer.of(0x0b), abandoned.bytes]));
    await tick();
    c.socket.write(frame(next.bytes));
    expect(msa(await c.acks()).slice(1, 3)).toEqual(['AA', next.controlId]);
    const odd = message({ 'PID-5.1': 'X\x0bMSHAY' });
    c.socket.write(frame(odd.bytes));
    expect(msa(await c.acks())[2]).toBe(odd.controlId); // answered as itself: one message
    c.socket.end();
  });

  it('sends no accept ACK to a sender that asked for none (MSH-15 NE), and the asked-for CA to the next', async () => {
    const c = await client();
    const never = message({ 'MSH-15': 'NE' });
    const always = message({ 'MSH-15': 'AL' });
    c.socket.write(Buffer.concat([frame(never.bytes), frame(always.bytes)]));
    // ACKs come in message order: the first ACK to arrive is for the second message.
    expect(msa(await c.acks()).slice(1, 3)).toEqual(['CA', always.controlId]);
    expect(await invitationOf(h.pool, 'lifecare', never.visitId)).toMatchObject({ status: 'scheduled' });
    c.socket.end();
  });

  it('answers AR to a frame over the size bound and closes the connection', async () => {
    const c = await client();
    const m = message();
    c.socket.write(Buffer.concat([Buffer.of(0x0b), m.bytes, Buffer.alloc(70 * 1024, 0x41)]));
    const raw = await c.acks();
    const ack = msa(raw);
    expect(ack.slice(1, 3)).toEqual(['AR', m.controlId]);
    expect(ack[3]).toContain('larger than');
    expect(raw).toMatch(/\rERR\|/);
    expect(raw).not.toContain('MLL^'); // "MLLP" is no segment name
    await c.closed;
    expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toBeUndefined();
  });

  it('closes an idle connection after its timeout', async () => {
    const quick = createMllpServer({ handleHl7: h.pipeline.handleHl7, logger: silent, idleTimeoutMs: 50 });
    const address = await quick.listen(0);
    const socket = connect(address.port, '127.0.0.1');
    await new Promise<void>((r) => socket.on('close', () => r()));
    await waitFor(() => quick.connectionCount() === 0, 5000, 'the server side to let go');
    await quick.close();
  });

  it('after the idle timeout reads nothing more and lets go of a peer that keeps its side open', async () => {
    const quick = createMllpServer({ handleHl7: h.pipeline.handleHl7, logger: silent, idleTimeoutMs: 50 });
    const address = await quick.listen(0);
    const socket = connect({ port: address.port, host: '127.0.0.1', allowHalfOpen: true });
    const ack: Buffer[] = [];
    socket.on('data', (b) => ack.push(b));
    socket.on('error', () => {});
    await new Promise<void>((r) => socket.once('end', () => r()));
    const late = message();
    socket.write(frame(late.bytes)); // after our end: it would be stored with no ACK to tell the sender
    await waitFor(() => quick.connectionCount() === 0, 5000, 'the server to let go of the half-open peer');
    expect(await invitationOf(h.pool, 'lifecare', late.visitId)).toBeUndefined();
    expect(ack).toEqual([]);
    socket.destroy();
    await quick.close();
  });

  it('answers a frame that ends with <FS> alone, without waiting for a <CR> that never comes', async () => {
    const c = await client();
    const [first, second] = [message(), message()];
    c.socket.write(Buffer.concat([Buffer.of(0x0b), first.bytes, Buffer.of(0x1c)]));
    expect(msa(await c.acks()).slice(1, 3)).toEqual(['AA', first.controlId]);
    c.socket.write(Buffer.concat([Buffer.of(0x0d), frame(second.bytes)])); // the late <CR> is skipped
    expect(msa(await c.acks()).slice(1, 3)).toEqual(['AA', second.controlId]);
    c.socket.end();
  });

  it('closes without waiting for a record system that keeps an idle link open', async () => {
    const s = createMllpServer({ handleHl7: h.pipeline.handleHl7, logger: silent });
    const address = await s.listen(0);
    // a peer that does not end its side when ours ends (as a plain socket in another language)
    const socket = connect({ port: address.port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise((r) => socket.once('connect', r));
    await waitFor(() => s.connectionCount() === 1, 5000, 'the connection');
    const ended = new Promise<void>((r) => socket.once('end', () => r()));
    // a deadline far beyond the test's own: only a close that lets go of the link by itself passes
    await s.close(60_000);
    await ended;
    socket.destroy();
  });

  it('once closing, takes no message it could not acknowledge: nothing stored, the sender resends', async () => {
    const s = createMllpServer({ handleHl7: h.pipeline.handleHl7, logger: silent });
    const address = await s.listen(0);
    const socket = connect({ port: address.port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise((r) => socket.once('connect', r));
    await waitFor(() => s.connectionCount() === 1, 5000, 'the connection');
    let answered = '';
    socket.on('data', (d) => {
      answered += d.toString('latin1');
    });
    const closing = s.close(60_000);
    const m = message();
    socket.write(frame(m.bytes)); // arrives after our side has ended
    await closing;
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe('');
    expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toBeUndefined();
    socket.destroy();
  });

  it('finishes and ACKs what it has received before it closes', async () => {
    let started: () => void = () => {};
    const handling = new Promise<void>((r) => {
      started = r;
    });
    const s = createMllpServer({
      handleHl7: (bytes) => {
        started();
        return h.pipeline.handleHl7(bytes);
      },
      logger: silent,
    });
    const address = await s.listen(0);
    const socket = connect(address.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const m = message();
    const acked = new Promise<string>((r) => socket.once('data', (d) => r(d.toString('latin1'))));
    socket.write(frame(m.bytes));
    await handling; // the message is in flight when the listener is told to close
    const closing = s.close();
    expect(msa((await acked).slice(1, -2))[1]).toBe('AA');
    socket.end();
    await closing;
    expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toMatchObject({ status: 'scheduled' });
  });

  it('reads nothing more once it closes: a sender streaming without waiting for ACKs does not hold the stop (a rolling-restart probe)', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let started: () => void = () => {};
    const handling = new Promise<void>((r) => {
      started = r;
    });
    const s = createMllpServer({
      handleHl7: async (bytes) => {
        started();
        await held;
        return h.pipeline.handleHl7(bytes);
      },
      logger: silent,
    });
    const address = await s.listen(0);
    const socket = connect(address.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let answered = '';
    socket.on('data', (d) => {
      answered += d.toString('latin1');
    });
    const closedByServer = new Promise((r) => socket.on('close', r));
    const first = message();
    socket.write(frame(first.bytes));
    await handling;
    const closing = s.close(5000);
    // Sent after the stop began: never read, never ACKed; the sender sends it again elsewhere.
    const late = [message(), message()];
    for (const m of late) socket.write(frame(m.bytes));
    await new Promise((r) => setTimeout(r, 100));
    release();
    const stoppedWithin = await Promise.race([closing.then(() => 'closed'), new Promise((r) => setTimeout(() => r('held'), 3000))]);
    expect(stoppedWithin).toBe('closed');
    await closedByServer;
    expect(answered.split('MSA|').length - 1).toBe(1);
    expect(msa(answered.slice(1, answered.indexOf('\x1c')))[1]).toBe('AA');
    expect(await invitationOf(h.pool, 'lifecare', first.visitId)).toMatchObject({ status: 'scheduled' });
    for (const m of late) expect(await invitationOf(h.pool, 'lifecare', m.visitId)).toBeUndefined();
  });
});

describe('MLLP connection cap', () => {
  it('closes a connection over the cap at once, counts it and says so, and takes new ones once there is room', async () => {
    const { kaikuMetrics } = await import('@kaiku/http');
    const warnings: unknown[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
    const capped = createMllpServer({ handleHl7: h.pipeline.handleHl7, logger, maxConnections: 2 });
    const address = await capped.listen(0);
    const open = () =>
      new Promise<Socket>((resolve, reject) => {
        const s = connect(address.port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    const before = (await kaikuMetrics.mllpConnectionsRefused.get()).values[0]?.value ?? 0;
    const [a, b] = [await open(), await open()];
    await waitFor(() => capped.connectionCount() === 2, 5000, 'two connections');
    const third = await open();
    await new Promise<void>((r) => third.once('close', () => r()));
    expect((await kaikuMetrics.mllpConnectionsRefused.get()).values[0]?.value).toBe(before + 1);
    expect(warnings).toEqual([expect.objectContaining({ maxConnections: 2, msg: expect.stringContaining('MLLP_MAX_CONNECTIONS') })]);
    a.destroy();
    await waitFor(() => capped.connectionCount() === 1, 5000, 'room for one more');
    const m = message();
    const fourth = await open();
    const ack = new Promise<string>((r) => fourth.once('data', (d) => r(d.toString('latin1'))));
    fourth.write(frame(m.bytes));
    expect(await ack).toContain('MSA|AA|');
    for (const s of [b, fourth]) s.destroy();
    await capped.close();
  });
});
