import { type AddressInfo, createServer, type Socket } from 'node:net';
import { kaikuMetrics } from '@kaiku/http';
import type { Logger } from 'pino';
import { ackContextOfUnreadable, buildAck } from '../adapters/hl7/hl7-ack.ts';
import type { LifecareHl7Handler } from '../adapters/lifecare-hl7.handler.ts';

/** MLLP framing: <VT> message <FS><CR>. */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export interface MllpServerDeps {
  handleHl7: LifecareHl7Handler;
  logger: Logger;
  /** Largest message accepted; a larger frame gets an `AR` and the connection is closed. Default 1 MiB. */
  maxFrameBytes?: number;
  /** A connection with nothing in flight and no bytes for this long is closed. Default 5 minutes. */
  idleTimeoutMs?: number;
  maxConnections?: number;
}

/**
 * Where, before `end`, a <VT> opens a new message ("MSH" after it): the frame before it was
 * abandoned. Any other <VT> inside a frame stays part of it (answered AR or AA, never a message
 * lost for good by splitting it at a byte that HL7 text does not hold).
 */
function newMessageStart(buf: Buffer, end: number): number {
  for (let p = buf.indexOf(VT); p >= 0 && p < end; p = buf.indexOf(VT, p + 1)) {
    if (buf[p + 1] === 0x4d && buf[p + 2] === 0x53 && buf[p + 3] === 0x48 && isFieldSeparator(buf[p + 4])) return p;
  }
  return -1;
}

/** MSH-1: any byte that is not a letter, a digit or a frame byte ("MSHA" is no segment's start). */
const isFieldSeparator = (b: number | undefined) => b !== undefined && b > 0x20 && b < 0x7f && !/[A-Za-z0-9]/.test(String.fromCharCode(b));

export function frame(message: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(VT), message, Buffer.of(FS, CR)]);
}

/** How long a connection may stay open after our side has ended it at shutdown. */
const CLOSE_GRACE_MS = 1000;

/** Messages waiting on one connection before it stops reading (backpressure on a fast sender). */
const HIGH_WATER = 32;

/**
 * The Lifecare MLLP listener. Each connection is read as a stream of frames (several per
 * connection, split across TCP packets as they come); its messages are handled in order and each
 * ACK is written only after the message's transaction has committed. Connections never wait for
 * each other: a slow or idle client holds only its own socket.
 */
export function createMllpServer(deps: MllpServerDeps) {
  const maxFrame = deps.maxFrameBytes ?? 1024 * 1024;
  const idleMs = deps.idleTimeoutMs ?? 5 * 60_000;
  const log = deps.logger;
  const connections = new Map<Socket, { pending: number; done: Promise<void> }>();
  let closing = false;
  /**
   * Ends our side when the listener closes; a record system that keeps its link open and never
   * ends its side would otherwise hold the shutdown until its deadline. Whatever it sends after our
   * end is not read (a message taken then could be stored but never acknowledged), so it sends it
   * again to the next listener.
   */
  const stopReading = (socket: Socket) => {
    socket.removeAllListeners('data');
    socket.pause();
  };
  const finish = (socket: Socket) => {
    stopReading(socket);
    socket.end();
    setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
  };

  function serve(socket: Socket) {
    const state = { pending: 0, done: Promise.resolve() };
    connections.set(socket, state);
    socket.setNoDelay(true);
    socket.setTimeout(idleMs);
    let buf: Buffer = Buffer.alloc(0);
    let inFrame = false;
    let paused = false;
    /** The sender closed its side (half-close): answer what is in flight, then close ours. */
    let peerEnded = false;

    const maybeResume = () => {
      if (paused && !closing && state.pending < HIGH_WATER / 4 && !socket.writableNeedDrain) {
        paused = false;
        socket.resume();
      }
    };
    const send = (bytes: Buffer) => {
      if (socket.destroyed || !socket.writable) return;
      if (!socket.write(frame(bytes))) {
        paused = true;
        socket.pause();
        socket.once('drain', maybeResume);
      }
    };
    const enqueue = (message: Buffer) => {
      state.pending++;
      if (state.pending >= HIGH_WATER && !paused) {
        paused = true;
        socket.pause();
      }
      state.done = state.done.then(async () => {
        try {
          const answer = await deps.handleHl7(message);
          if (answer.wanted) send(answer.ack);
        } catch (error) {
          // No ACK for this message: the sender sends it again on a new connection.
          log.error({ err: { message: (error as Error).message } }, 'mllp message failed; connection closed');
          socket.destroy();
        }
        state.pending--;
        maybeResume();
        if (closing && state.pending === 0) finish(socket);
        else if (peerEnded && state.pending === 0) socket.end();
      });
    };
    const tooLarge = () => {
      log.warn({ bytes: buf.length, remote: `${socket.remoteAddress}:${socket.remotePort}` }, 'mllp frame too large; connection closed');
      const ctx = ackContextOfUnreadable(buf);
      const issue = { field: 'MLLP', message: `the message is larger than ${maxFrame} bytes` };
      state.done = state.done.then(() => {
        send(buildAck(ctx, 'rejected', issue.message, [issue]));
        socket.end();
      });
      buf = Buffer.alloc(0);
      socket.removeAllListeners('data');
    };

    socket.on('data', (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (!inFrame) {
          const start = buf.indexOf(VT);
          if (start < 0) {
            buf = Buffer.alloc(0); // bytes between frames (stray CR/LF) carry nothing
            return;
          }
          buf = buf.subarray(start + 1);
          inFrame = true;
        }
        const end = buf.indexOf(FS);
        // A new message started before this one ended: the sender gave up the partial one, which is
        // dropped unanswered (it waits for no ACK of it; answering one would read as the next's).
        // Looked for once a frame ends, or grows past the bound (which counts from the new start).
        const restart = end >= 0 || buf.length > maxFrame ? newMessageStart(buf, end >= 0 ? end : buf.length) : -1;
        if (restart >= 0) {
          log.warn(
            { bytes: restart, remote: `${socket.remoteAddress}:${socket.remotePort}` },
            'mllp frame abandoned by its sender (a new message began before its end); partial message dropped',
          );
          buf = buf.subarray(restart + 1);
          continue;
        }
        if (end < 0) {
          if (buf.length > maxFrame) tooLarge();
          return; // the rest of the frame is still on its way
        }
        if (end > maxFrame) return tooLarge();
        enqueue(Buffer.from(buf.subarray(0, end)));
        // The <CR> after <FS> may come in the next packet, or not at all: bytes between frames are skipped.
        buf = buf.subarray(buf[end + 1] === CR ? end + 2 : end + 1);
        inFrame = false;
      }
    });
    socket.on('end', () => {
      peerEnded = true;
      if (state.pending === 0) socket.end();
    });
    // Idle: stop reading and close both ways (a message written after our end would be stored
    // without an ACK, and a peer that never closes its side would hold the socket for ever).
    socket.on('timeout', () => {
      if (state.pending === 0) finish(socket);
    });
    socket.on('error', (error) => log.debug({ err: { message: error.message } }, 'mllp connection error'));
    socket.on('close', () => connections.delete(socket));
  }

  // allowHalfOpen: a sender may close its side right after its last message and still read the ACK.
  const server = createServer({ allowHalfOpen: true }, serve);
  server.maxConnections = deps.maxConnections ?? 1000;
  server.on('error', (error) => log.error({ err: { message: error.message } }, 'mllp listener error'));
  // At the cap a new connection is closed as soon as it is accepted: a record system locked out by
  // idle or dripping sockets would see only resets. Counted, and said at most once a minute.
  let refused = 0;
  let warnedAt = Number.NEGATIVE_INFINITY;
  server.on('drop', () => {
    kaikuMetrics.mllpConnectionsRefused.inc();
    refused++;
    if (performance.now() - warnedAt < 60_000) return;
    warnedAt = performance.now();
    log.warn({ maxConnections: server.maxConnections, refused }, 'mllp connection refused: MLLP_MAX_CONNECTIONS are open');
    refused = 0;
  });

  return {
    server,
    listen(port: number, host = '127.0.0.1'): Promise<AddressInfo> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    address: () => server.address() as AddressInfo | null,
    connectionCount: () => connections.size,
    /** Stops listening, lets every connection finish (and ACK) what it has received, then closes it. */
    async close(timeoutMs = 10_000): Promise<void> {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A connection still answering reads nothing more: a sender that streams without waiting for
      // each ACK would otherwise hold the stop until its deadline (a rolling-restart probe).
      for (const [socket, state] of connections) {
        if (state.pending === 0) finish(socket);
        else stopReading(socket);
      }
      const timer = setTimeout(() => {
        for (const socket of connections.keys()) socket.destroy();
      }, timeoutMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
export type MllpServer = ReturnType<typeof createMllpServer>;
