import { abandonTransaction, type Pool } from '@kaiku/db';
import { enqueueSurveys, type SurveySendJob } from '@kaiku/queue';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';

export interface OutboxRelayDeps {
  pool: Pool;
  queue: Queue<SurveySendJob>;
  logger: Logger;
  intervalMs: number;
  batchSize?: number;
  /** Run before jobs are added (the reconciler's `beforeEnqueue`: a pause Redis lost is made again first). */
  beforeEnqueue?: () => Promise<void>;
}

/**
 * Moves committed outbox rows into BullMQ (job id = invitation id, so a repeat is a no-op). A row
 * is deleted only in the same transaction that saw its job added; while Redis is down rows wait.
 */
export function createOutboxRelay(deps: OutboxRelayDeps) {
  const batchSize = deps.batchSize ?? 500;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = true;
  let failing = false;
  /** A commit asked for a run while one was under way: its rows may be past that run's read. */
  let nudgedWhileRunning = false;

  async function relayOnce(): Promise<number> {
    const client = await deps.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // LEFT JOIN: a row whose invitation is gone (the reference is not a foreign key, migration
      // 560) is dropped with the rest instead of waiting forever. The invitations are read under a
      // share lock, held until the jobs are in Redis: a cancellation or a same-day visit
      // that replaces one waits for that, so the job its commit removes is there to remove (read
      // without it, a job was added after its removal and stayed, for a survey no longer due).
      const { rows } = await client.query<{ id: string; invitation_id: string; status: string | null; send_at: Date | null }>(
        // (each invitation by its key: a semi-join planned without statistics read every scheduled one)
        `WITH o AS MATERIALIZED (SELECT id, invitation_id FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         SELECT o.id, o.invitation_id, i.status, i.send_at
           FROM o LEFT JOIN LATERAL (SELECT status, send_at FROM invitations WHERE id = o.invitation_id FOR SHARE) i ON true
          ORDER BY o.id`,
        [batchSize],
      );
      const now = new Date();
      if (rows.length) await deps.beforeEnqueue?.();
      await enqueueSurveys(
        deps.queue,
        rows.filter((r) => r.status === 'scheduled').map((r) => ({ invitationId: r.invitation_id, sendAt: r.send_at ?? now })),
        now,
      );
      if (rows.length) await client.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      await client.query('COMMIT');
      if (failing) deps.logger.info('outbox relay recovered');
      failing = false;
      return rows.length;
    } catch (error) {
      broken = await abandonTransaction(client, error);
      if (!failing) deps.logger.warn({ err: { message: (error as Error).message } }, 'outbox relay failed; will retry');
      failing = true;
      return 0;
    } finally {
      client.release(broken);
    }
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await relayOnce();
      total += moved;
      if (moved < batchSize || stopped) return total;
    }
  }

  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(tick, delay);
  }
  function tick() {
    timer = null;
    nudgedWhileRunning = false;
    running = drain().catch(() => 0);
    running.finally(() => {
      running = null;
      schedule(nudgedWhileRunning && !failing ? 0 : deps.intervalMs);
    });
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    /**
     * Asks for a run soon (after a commit), without waiting for the interval: at once, or right
     * after the run under way (which may have read the outbox before that commit). Not while the
     * relay is failing: then it tries again every interval, however many visits commit.
     */
    nudge() {
      if (stopped || failing) return;
      if (running) nudgedWhileRunning = true;
      else if (timer) {
        clearTimeout(timer);
        schedule(0);
      }
    },
    drain,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
  };
}
export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
