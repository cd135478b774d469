import autocannon from 'autocannon';

export interface LoadResult {
  /** 2xx answers per second over the measured window. */
  rps: number;
  total: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  statusCodes: Record<string, number>;
  seconds: number;
}

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** A fresh body per request (unique ids), or a fixed one. */
  body?: () => string;
  /** A fresh body with headers of its own (e.g. a signature over the body). */
  bodyWithHeaders?: () => { body: string; headers: Record<string, string> };
  connections: number;
  seconds: number;
  /** Fixed offered load (requests per second, all connections together). */
  overallRate?: number;
  timeoutSeconds?: number;
}

/** One autocannon run, in this process (autocannon's own CPU use counts the same for every stage). */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  const makeBody = opts.body;
  const makeBoth = opts.bodyWithHeaders;
  let setupRequest: ((req: autocannon.Request) => autocannon.Request) | undefined;
  if (makeBoth) {
    setupRequest = (req) => {
      const { body, headers } = makeBoth();
      return { ...req, body, headers: { ...req.headers, ...headers } };
    };
  } else if (makeBody) setupRequest = (req) => ({ ...req, body: makeBody() });
  const started = performance.now();
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: opts.timeoutSeconds ?? 10,
    ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
    requests: [
      {
        method: opts.method ?? 'POST',
        path: opts.path,
        headers: opts.headers ?? {},
        ...(setupRequest ? { setupRequest } : {}),
      },
    ],
  });
  const seconds = Math.max(result.duration, (performance.now() - started) / 1000 - 0.05);
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat?.count ?? 0;
  const ok = result['2xx'];
  return {
    rps: ok / seconds,
    total: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statusCodes,
    seconds,
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

/** Runs `fn` `count` times one after another (after `warmup` unmeasured runs); latencies in ms. */
export async function timeSequential(fn: () => Promise<unknown>, count: number, warmup = 3): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** Runs `worker` on `concurrency` lanes until `deadline` (ms since epoch) or until it returns false. */
export async function lanes(concurrency: number, worker: (lane: number) => Promise<boolean>): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async (_, lane) => {
      while (await worker(lane)) {
        // next
      }
    }),
  );
}
