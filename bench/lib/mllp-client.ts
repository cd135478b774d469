import { connect, type Socket } from 'node:net';

const START = 0x0b;
const END = Buffer.from([0x1c, 0x0d]);

/** One MLLP connection that sends a message and waits for its acknowledgement (one at a time). */
export async function openMllp(port: number): Promise<{ send: (er7: string) => Promise<string>; close: () => void }> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  let pending = Buffer.alloc(0);
  let waiting: { resolve: (ack: string) => void; reject: (e: Error) => void } | null = null;
  socket.on('data', (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const end = pending.indexOf(END);
    if (end < 0) return;
    const frame = pending.subarray(pending[0] === START ? 1 : 0, end).toString('latin1');
    pending = pending.subarray(end + END.length);
    const w = waiting;
    waiting = null;
    w?.resolve(frame);
  });
  const fail = (e: Error) => {
    const w = waiting;
    waiting = null;
    w?.reject(e);
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('MLLP connection closed')));
  return {
    send: (er7) =>
      new Promise<string>((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(Buffer.concat([Buffer.from([START]), Buffer.from(er7, 'latin1'), END]));
      }),
    close: () => socket.destroy(),
  };
}

/** `connections` MLLP clients sending one message after another for `seconds`; messages/s answered AA/CA. */
export async function mllpLoad(port: number, connections: number, seconds: number, message: (n: number) => string) {
  const clients = await Promise.all(Array.from({ length: connections }, () => openMllp(port)));
  let n = 0;
  let accepted = 0;
  let other = 0;
  const latencies: number[] = [];
  let firstOther = '';
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        const ack = await client.send(message(n++));
        latencies.push(performance.now() - t);
        if (/\rMSA\|(AA|CA)\|/.test(`\r${ack}`)) accepted++;
        else {
          other++;
          firstOther ||= ack.slice(0, 300);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  for (const c of clients) c.close();
  return { rate: accepted / elapsed, accepted, other, firstOther, latencies };
}
