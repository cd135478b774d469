import { Gauge, Registry } from 'prom-client';
import { withTimeout } from './health.ts';

/** What the gauges need from a pg Pool (structural, so this package needs no pg). */
export interface QueryablePool {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}
/** What the gauges need from a BullMQ Queue. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: Array<'wait' | 'prioritized' | 'delayed' | 'active' | 'failed'>): Promise<Record<string, number>>;
  getJobs(
    types: Array<'wait'>,
    start?: number,
    end?: number,
    asc?: boolean,
  ): Promise<Array<{ timestamp: number; delay?: number; opts?: { delay?: number }; data?: { invitationId?: unknown } } | undefined>>;
  isPaused(): Promise<boolean>;
  /** BullMQ's Redis backend and key names: the delayed set's first due time is read from them. */
  getBackend?(): {
    readonly client: Promise<{ zrange(key: string, start: number, end: number, options?: { WITHSCORES?: boolean }): Promise<string[]> }>;
  };
  toKey?(type: string): string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface StateGaugeDeps {
  pool?: QueryablePool;
  queues?: CountableQueue[];
  now?: () => number;
  /** Per-source time limit of one scrape. */
  timeoutMs?: number;
}

/**
 * Invitations not yet closed, counted exactly on the (status, send_at) index. Closed statuses
 * (completed, expired, cancelled, skipped, failed, undelivered) grow without bound; their rates
 * come from the event counters instead.
 */
export const OPEN_INVITATION_STATUSES = ['scheduled', 'sending', 'sent', 'delivered', 'unknown', 'answered'] as const;
export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const;

interface Snapshot {
  postgres: { invitations: Map<string, number>; outboxRows: number; outboxOldestSeconds: number } | null;
  redis: Map<string, { counts: Record<(typeof QUEUE_STATES)[number], number>; oldestWaitingSeconds: number; paused: boolean }> | null;
}

/**
 * Gauges read at scrape time with cheap queries: open invitations by status, the outbox backlog
 * and its oldest row's age, each queue's depth and its oldest waiting job's age. A source that
 * does not answer reports `kaiku_state_source_up{source} 0` and no stale values.
 */
export function createStateGauges(deps: StateGaugeDeps): Registry {
  const registry = new Registry();
  const registers = [registry];
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? 2000;
  let cached: { at: number; value: Promise<Snapshot> } | null = null;

  function snapshot(): Promise<Snapshot> {
    // One read per scrape, shared by every gauge below.
    if (!cached || now() - cached.at > 1000) cached = { at: now(), value: readSnapshot() };
    return cached.value;
  }

  async function readSnapshot(): Promise<Snapshot> {
    const [postgres, redis] = await Promise.all([
      deps.pool ? withTimeout(readPostgres(deps.pool), timeoutMs).catch(() => null) : Promise.resolve(null),
      deps.queues ? withTimeout(readQueues(deps.queues), timeoutMs).catch(() => null) : Promise.resolve(null),
    ]);
    return { postgres, redis };
  }

  async function readPostgres(pool: QueryablePool) {
    const [byStatus, outbox] = await Promise.all([
      pool.query('SELECT status, count(*)::int AS n FROM invitations WHERE status = ANY($1::text[]) GROUP BY status', [
        [...OPEN_INVITATION_STATUSES],
      ]),
      pool.query('SELECT count(*)::int AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS oldest FROM outbox'),
    ]);
    const invitations = new Map<string, number>(OPEN_INVITATION_STATUSES.map((s) => [s, 0]));
    for (const row of byStatus.rows) invitations.set(String(row.status), Number(row.n));
    return { invitations, outboxRows: Number(outbox.rows[0]?.n ?? 0), outboxOldestSeconds: Number(outbox.rows[0]?.oldest ?? 0) };
  }

  async function readQueues(queues: CountableQueue[]) {
    const result = new Map<
      string,
      { counts: Record<(typeof QUEUE_STATES)[number], number>; oldestWaitingSeconds: number; paused: boolean }
    >();
    for (const queue of queues) {
      const c = await queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'failed');
      const [oldest] = await queue.getJobs(['wait'], 0, 0, true);
      const paused = await queue.isPaused();
      const readySince = await dueSince(queue, oldest);
      result.set(queue.name, {
        counts: {
          waiting: (c.wait ?? 0) + (c.prioritized ?? 0),
          delayed: c.delayed ?? 0,
          active: c.active ?? 0,
          failed: c.failed ?? 0,
        },
        oldestWaitingSeconds: readySince === null ? 0 : Math.max(0, (now() - readySince) / 1000),
        paused,
      });
    }
    return result;
  }

  /**
   * Since when the queue has had a job due and not taken: the oldest waiting job's due time, or a
   * delayed job's whose time has passed (no worker there to move it to waiting: senders down, or
   * unable to reach Redis), whichever is earlier; null when none. A waiting job's due time is its
   * invitation's send time (moved on past quiet hours; kept when Redis lost the job and it was added
   * again), else what the job was added with: BullMQ zeroes `delay` when it moves a job to waiting.
   */
  async function dueSince(queue: CountableQueue, oldest: Awaited<ReturnType<CountableQueue['getJobs']>>[number]): Promise<number | null> {
    let since: number | null = null;
    if (oldest) {
      since = oldest.timestamp + Math.max(oldest.delay ?? 0, oldest.opts?.delay ?? 0);
      const id = oldest.data?.invitationId;
      if (deps.pool && typeof id === 'string' && UUID.test(id)) {
        // Postgres unreachable: the job's own times (the Redis figures still count).
        const { rows } = await deps.pool.query('SELECT send_at FROM invitations WHERE id = $1', [id]).catch(() => ({ rows: [] }));
        const sendAt = rows[0]?.send_at;
        if (sendAt instanceof Date) since = sendAt.getTime();
      }
    }
    if (queue.getBackend && queue.toKey) {
      // BullMQ's score is the due time × 0x1000 plus a counter.
      const [, score] = await (await queue.getBackend().client).zrange(queue.toKey('delayed'), 0, 0, { WITHSCORES: true });
      const due = score === undefined ? null : Math.floor(Number(score) / 0x1000);
      if (due !== null && due < now() && (since === null || due < since)) since = due;
    }
    return since;
  }

  const sourceUp = new Gauge({
    name: 'kaiku_state_source_up',
    help: '1 when the state gauges could read the source (postgres, redis) at this scrape',
    labelNames: ['source'] as const,
    registers,
    async collect() {
      const s = await snapshot();
      if (deps.pool) this.set({ source: 'postgres' }, s.postgres ? 1 : 0);
      if (deps.queues) this.set({ source: 'redis' }, s.redis ? 1 : 0);
    },
  });
  void sourceUp;

  if (deps.pool) {
    new Gauge({
      name: 'kaiku_invitations',
      help: `Open invitations by status (${OPEN_INVITATION_STATUSES.join(', ')})`,
      labelNames: ['status'] as const,
      registers,
      async collect() {
        const s = (await snapshot()).postgres;
        this.reset();
        if (s) for (const [status, n] of s.invitations) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'kaiku_outbox_backlog',
      help: 'Outbox rows waiting to be moved into the queue',
      registers,
      async collect() {
        const s = (await snapshot()).postgres;
        this.reset();
        // A gauge without labels can't be absent: NaN says "unknown" (no alert compares true on it).
        this.set(s ? s.outboxRows : Number.NaN);
      },
    });
    new Gauge({
      name: 'kaiku_outbox_oldest_seconds',
      help: 'Age of the oldest outbox row (0 when empty)',
      registers,
      async collect() {
        const s = (await snapshot()).postgres;
        this.reset();
        this.set(s ? s.outboxOldestSeconds : Number.NaN);
      },
    });
  }

  if (deps.queues) {
    new Gauge({
      name: 'kaiku_queue_jobs',
      help: 'BullMQ jobs by queue and state (waiting, delayed, active, failed)',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        const s = (await snapshot()).redis;
        this.reset();
        if (s) for (const [queue, { counts }] of s) for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state]);
      },
    });
    new Gauge({
      name: 'kaiku_queue_oldest_waiting_seconds',
      help: 'How long the oldest job due to run has waited for a worker since its send time, also one still delayed past it because no worker moved it (0 when none waits)',
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        const s = (await snapshot()).redis;
        this.reset();
        if (s) for (const [queue, { oldestWaitingSeconds }] of s) this.set({ queue }, oldestWaitingSeconds);
      },
    });
    new Gauge({
      name: 'kaiku_queue_paused',
      help: '1 while the queue is paused (from the board): its jobs wait on purpose',
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        const s = (await snapshot()).redis;
        this.reset();
        if (s) for (const [queue, { paused }] of s) this.set({ queue }, paused ? 1 : 0);
      },
    });
  }
  return registry;
}
