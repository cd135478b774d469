import { connect, type Socket } from 'node:net';

export interface SendSummary {
  sent: number;
  /** HL7 ACK codes (AA, AE, AR…) or canonical outcomes (scheduled, skipped…) or HTTP statuses, counted. */
  results: Record<string, number>;
  /** Skip reasons, counted. */
  skipped: Record<string, number>;
  failed: number;
  /** The first few error texts (MSA-3 of non-AA ACKs, HTTP errors), to see what went wrong. */
  errors: string[];
  elapsedMs: number;
}

function noteError(summary: SendSummary, text: string) {
  if (summary.errors.length < 10) summary.errors.push(text.slice(0, 300));
}

export interface PaceOptions {
  /** Messages per second over all connections; 0 or undefined = as fast as possible. */
  rate?: number;
  /** Parallel connections (MLLP) or requests in flight (HTTP). Default 1 for MLLP, 4 for HTTP. */
  connections?: number;
}

function pacer(rate: number | undefined) {
  const start = Date.now();
  let n = 0;
  return async () => {
    if (!rate) return;
    const due = start + (n++ * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
}

function count(map: Record<string, number>, key: string) {
  map[key] = (map[key] ?? 0) + 1;
}

/** Runs `work` over items with `parallel` workers, each waiting its turn from the pacer. */
async function runPaced<T>(items: T[], parallel: number, rate: number | undefined, work: (item: T, lane: number) => Promise<void>) {
  const pace = pacer(rate);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, parallel) }, async (_, lane) => {
      while (next < items.length) {
        const item = items[next++] as T;
        await pace();
        await work(item, lane);
      }
    }),
  );
}

/** One MLLP connection that sends a frame and waits for its ACK (as record systems do). */
/**
 * One MLLP connection that sends a message and waits for its ACK. When the connection closes (ingest
 * stopped), the send waiting and every later one fail at once instead of waiting for good.
 */
function mllpConnection(host: string, port: number): Promise<{ send: (message: Buffer) => Promise<string>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, host);
    let buf = Buffer.alloc(0);
    let waiting: { resolve: (ack: string) => void; reject: (error: Error) => void } | null = null;
    let closed: Error | null = null;
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf(Buffer.of(0x1c, 0x0d));
      if (end < 0) return;
      const ack = buf.subarray(buf.indexOf(0x0b) + 1, end).toString('latin1');
      buf = buf.subarray(end + 2);
      waiting?.resolve(ack);
      waiting = null;
    });
    socket.once('error', (error) => {
      closed ??= error;
      reject(error);
    });
    socket.once('close', () => {
      closed ??= new Error('the MLLP connection closed before the ACK');
      waiting?.reject(closed);
      waiting = null;
    });
    socket.once('connect', () =>
      resolve({
        send: (message) =>
          new Promise((resolve, reject) => {
            if (closed) return reject(closed);
            waiting = { resolve, reject };
            socket.write(Buffer.concat([Buffer.of(0x0b), message, Buffer.of(0x1c, 0x0d)]));
          }),
        close: () => socket.end(),
      }),
    );
  });
}

function ackOf(ack: string) {
  const msa =
    ack
      .split('\r')
      .find((l) => l.startsWith('MSA|'))
      ?.split('|') ?? [];
  return { code: msa[1] ?? '?', text: msa[3] ?? '' };
}

/** Sends ER7 messages over MLLP; each connection waits for the ACK before its next message. */
export async function sendOverMllp(messages: Buffer[], target: { host?: string; port: number } & PaceOptions): Promise<SendSummary> {
  const started = Date.now();
  const summary: SendSummary = { sent: 0, results: {}, skipped: {}, failed: 0, errors: [], elapsedMs: 0 };
  const connections = await Promise.all(
    Array.from({ length: Math.max(1, target.connections ?? 1) }, () => mllpConnection(target.host ?? '127.0.0.1', target.port)),
  );
  try {
    await runPaced(messages, connections.length, target.rate, async (message, lane) => {
      try {
        const { code, text } = ackOf(await (connections[lane] as { send: (m: Buffer) => Promise<string> }).send(message));
        summary.sent++;
        count(summary.results, code);
        if (text.startsWith('skipped: ')) count(summary.skipped, text.slice(9));
        if (code !== 'AA' && code !== 'CA') noteError(summary, `${code} ${text}`);
      } catch (error) {
        summary.failed++;
        noteError(summary, (error as Error).message);
      }
    });
  } finally {
    for (const c of connections) c.close();
  }
  summary.elapsedMs = Date.now() - started;
  return summary;
}

/** Sends ER7 messages to `POST /v1/sources/lifecare/hl7`. */
export async function sendHl7OverHttp(messages: Buffer[], target: { baseUrl: string; token: string } & PaceOptions): Promise<SendSummary> {
  const started = Date.now();
  const summary: SendSummary = { sent: 0, results: {}, skipped: {}, failed: 0, errors: [], elapsedMs: 0 };
  await runPaced(messages, target.connections ?? 4, target.rate, async (message) => {
    try {
      const res = await fetch(`${target.baseUrl}/v1/sources/lifecare/hl7`, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.token}`, 'content-type': 'x-application/hl7-v2+er7' },
        body: message,
      });
      const { code, text } = ackOf(Buffer.from(await res.arrayBuffer()).toString('latin1'));
      summary.sent++;
      count(summary.results, res.ok ? code : `HTTP ${res.status}`);
      if (text.startsWith('skipped: ')) count(summary.skipped, text.slice(9));
      if (code !== 'AA') noteError(summary, `HTTP ${res.status} ${code} ${text}`);
    } catch (error) {
      summary.failed++;
      noteError(summary, (error as Error).message);
    }
  });
  summary.elapsedMs = Date.now() - started;
  return summary;
}

/** Sends FHIR Bundles to `POST /v1/sources/pegasos/fhir`. */
export async function sendFhir(bundles: unknown[], target: { baseUrl: string; token: string } & PaceOptions): Promise<SendSummary> {
  const started = Date.now();
  const summary: SendSummary = { sent: 0, results: {}, skipped: {}, failed: 0, errors: [], elapsedMs: 0 };
  await runPaced(bundles, target.connections ?? 4, target.rate, async (bundle) => {
    try {
      const res = await fetch(`${target.baseUrl}/v1/sources/pegasos/fhir`, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/fhir+json' },
        body: JSON.stringify(bundle),
      });
      const body = (await res.json()) as { outcome?: string; reason?: string; issue?: Array<{ diagnostics?: string }> };
      summary.sent++;
      count(summary.results, body.outcome ?? `HTTP ${res.status}`);
      if (body.outcome === 'skipped' && body.reason) count(summary.skipped, body.reason);
      if (!body.outcome) noteError(summary, `HTTP ${res.status} ${body.issue?.[0]?.diagnostics ?? ''}`);
    } catch (error) {
      summary.failed++;
      noteError(summary, (error as Error).message);
    }
  });
  summary.elapsedMs = Date.now() - started;
  return summary;
}
