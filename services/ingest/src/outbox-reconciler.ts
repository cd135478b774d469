import { randomUUID } from 'node:crypto';
import type { Pool } from '@kaiku/db';
import { createRepeatingTask } from '@kaiku/http';
import { enqueueSurveys, requeueSurvey, type SurveySendJob } from '@kaiku/queue';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface OutboxReconcilerDeps {
  pool: Pool;
  queue: Queue<SurveySendJob>;
  /** The queue's Redis connection (for the marker and EXISTS checks). */
  redis: Redis;
  logger: Logger;
  /** How often the Redis marker is checked (cheap). Default 5 s. */
  intervalMs?: number;
  /** A full pass runs at least this often even when the marker is there. Default 15 minutes. */
  fullPassMs?: number;
  batchSize?: number;
}

/**
 * Puts back the send jobs Redis lost. The relay deletes an outbox row once its job is in Redis; if
 * Redis then loses its data (restart without persistence, failover), the invitation is still
 * `scheduled` in Postgres but has no job. The reconciler keeps a marker key in Redis; when the
 * marker is gone (and at least every `fullPassMs`), it walks the scheduled invitations that have
 * no outbox row and re-adds each missing job. Job id = invitation id, so a job that exists is never
 * doubled, and the sender re-checks the invitation's status in Postgres before it texts. The same
 * pass retries a job that failed while its invitation is still scheduled (a sender that could not
 * reach Postgres for all its attempts), so that no survey waits forever in the failed set, and
 * puts back the job of a send stuck in `sending` (see STUCK_SENDING_MS), or of a text answered before
 * its sender could mark it sent.
 */
/** A send this long in `sending` is no longer under way (a Twilio call gives up after 10 s). */
const STUCK_SENDING_MS = 2 * 60_000;

export function createOutboxReconciler(deps: OutboxReconcilerDeps) {
  const intervalMs = deps.intervalMs ?? 5000;
  const fullPassMs = deps.fullPassMs ?? 15 * 60_000;
  const batchSize = deps.batchSize ?? 1000;
  const markerKey = deps.queue.toKey('kaiku-reconciler-marker');
  const failedKey = deps.queue.toKey('failed');
  const markerValue = randomUUID();
  let lastFullPass = 0;
  let failing = false;
  /** The pause last written to Postgres (undefined: not read yet). */
  let keptPause: boolean | undefined;

  /**
   * Keeps the queue's pause in Postgres as it is seen in Redis, and when Redis lost its data
   * (`markerMissing`) pauses the queue again before any job is put back: ops paused the sends (a
   * wrong text, an incident), and an empty Redis would have let the restored jobs go. A pause
   * made less than one check before Redis was lost is not known.
   */
  async function keepPause(markerMissing: boolean): Promise<void> {
    const queue = deps.queue.name;
    if (keptPause === undefined || markerMissing) {
      const { rows } = await deps.pool
        .query<{ paused: boolean }>('SELECT paused FROM queue_pauses WHERE queue = $1', [queue])
        .catch(fromPostgres);
      keptPause = rows[0]?.paused ?? false;
      if (markerMissing && keptPause && !(await deps.queue.isPaused())) {
        await deps.queue.pause();
        deps.logger.warn(
          { queue },
          'the queue was paused when Redis lost its data: paused again; resume it on the board when sends may go',
        );
      }
    }
    const paused = await deps.queue.isPaused();
    if (paused === keptPause) return;
    await deps.pool
      .query(
        `INSERT INTO queue_pauses (queue, paused) VALUES ($1, $2)
         ON CONFLICT (queue) DO UPDATE SET paused = EXCLUDED.paused, seen_at = now()`,
        [queue, paused],
      )
      .catch(fromPostgres);
    keptPause = paused;
  }

  /**
   * For the outbox relay, before it adds jobs: when the queue was last seen paused and Redis has
   * lost its data since (no marker), pauses it again first, so that no new visit's text goes out in
   * the seconds before this reconciler's next check. Nothing to do (no Redis command) otherwise.
   */
  async function beforeEnqueue(): Promise<void> {
    if (keptPause !== true) return;
    if (!(await deps.redis.get(markerKey))) await keepPause(true);
  }

  /** One pass over every scheduled invitation without an outbox row; returns how many jobs were re-added or retried. */
  async function reconcileAll(now = new Date()): Promise<number> {
    const { restored, retried } = await pass(now);
    return restored + retried;
  }

  /** Jobs Redis no longer had (`restored`) and failed jobs of surveys still scheduled (`retried`). */
  async function pass(now: Date): Promise<{ restored: number; retried: number }> {
    const client = deps.redis;
    let after = '00000000-0000-0000-0000-000000000000';
    let restored = 0;
    let retried = 0;
    for (;;) {
      const { rows } = await deps.pool
        .query<{ id: string; send_at: Date | null }>(
          // Also a send left `sending` for minutes (its sender died mid-call, and Redis lost the job
          // that would have told the next sender): its job, put back, finds it so and makes it
          // `unknown`, which the sender's reconciler settles from Twilio's log.
          // And a text the patient answered before its sender's mark, when that sender died: its job,
          // put back, marks it sent (counted, its window opened, so that it closes).
          `SELECT i.id, i.send_at FROM invitations i
           WHERE (i.status IN ('scheduled', 'sending') AND (i.status = 'scheduled' OR i.last_attempt_at < now() - make_interval(secs => $3))
                  OR i.sent_at IS NULL AND i.status IN ('answered', 'completed') AND i.last_attempt_at < now() - make_interval(secs => $3))
             AND i.id > $1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.invitation_id = i.id)
           ORDER BY i.id LIMIT $2`,
          [after, batchSize, STUCK_SENDING_MS / 1000],
        )
        .catch(fromPostgres);
      if (rows.length === 0) break;
      const pipeline = client.pipeline();
      for (const row of rows) pipeline.exists(deps.queue.toKey(row.id)).zscore(failedKey, row.id);
      const found = (await pipeline.exec()) ?? [];
      const missing = rows.filter((_, i) => found[2 * i]?.[1] !== 1);
      await enqueueSurveys(
        deps.queue,
        missing.map((row) => ({ invitationId: row.id, sendAt: row.send_at ?? now })),
        now,
      );
      // A job that failed while its invitation is still scheduled never reached a send (the sender
      // claims the invitation before it calls Twilio): its attempts went on reaching Postgres. It is
      // tried again, with fresh attempts; the sender re-checks the invitation before it texts.
      const failed = rows.filter((_, i) => found[2 * i]?.[1] === 1 && found[2 * i + 1]?.[1] !== null);
      for (const row of failed) await requeueSurvey(deps.queue, row.id, now);
      retried += failed.length;
      restored += missing.length;
      after = (rows[rows.length - 1] as { id: string }).id;
      if (rows.length < batchSize) break;
    }
    if (retried > 0) deps.logger.warn({ retried }, 'send jobs of still-scheduled surveys had failed (Postgres unreachable?); retried');
    return { restored, retried };
  }

  /** Checks the marker; runs a full pass when Redis lost it (or the last pass is old). */
  async function check(): Promise<number> {
    const client = deps.redis;
    const marker = await client.get(markerKey);
    await keepPause(!marker);
    const due = Date.now() - lastFullPass >= fullPassMs;
    if (marker && !due) return 0;
    const { restored, retried } = await pass(new Date());
    await client.set(markerKey, markerValue);
    lastFullPass = Date.now();
    // (retried jobs are logged by the pass: Redis lost nothing of theirs)
    if (restored > 0 || !marker) {
      deps.logger.info(
        { restored, markerMissing: !marker },
        restored > 0 ? 'send jobs re-added after Redis lost them' : 'outbox reconciled',
      );
    }
    return restored + retried;
  }

  const task = createRepeatingTask({
    run: async () => {
      await check();
      if (failing) deps.logger.info('outbox reconciler recovered');
      failing = false;
    },
    onError: (error) => {
      // Before the first success a Redis error is Redis still connecting at start-up: not worth a
      // warning. Postgres is reachable at once or not at all, so its failure always warns.
      const dependency = (error as { dependency?: string }).dependency === 'postgres' ? 'Postgres' : 'Redis';
      if (!failing)
        deps.logger[lastFullPass || dependency === 'Postgres' ? 'warn' : 'info'](
          { dependency: dependency.toLowerCase(), err: { message: error.message } },
          `outbox reconciler: ${dependency} not reachable or not ready; will retry`,
        );
      failing = true;
    },
    intervalMs,
  });

  return { start: task.start, check, reconcileAll, beforeEnqueue, stop: task.stop };
}
export type OutboxReconciler = ReturnType<typeof createOutboxReconciler>;

/** Marks an error of the reconciler's Postgres query, so that its log names the right dependency. */
function fromPostgres(error: unknown): never {
  if (error instanceof Error) Object.assign(error, { dependency: 'postgres' });
  throw error;
}
