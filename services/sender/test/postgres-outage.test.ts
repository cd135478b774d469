import { createPool } from '@kaiku/db';
import { kaikuMetrics } from '@kaiku/http';
import { waitFor } from '@kaiku/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

/** Postgres gone while send jobs are due: the jobs wait without spending their attempts, and the log says why, once. */
describe('sender: Postgres unreachable', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('keeps a due job waiting, its attempts unspent, and texts once Postgres answers again', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const down = createPool('postgres://postgres@127.0.0.1:1/kaiku', { max: 1 });
    const retried = async () =>
      (await kaikuMetrics.smsSends.get()).values.find((v) => v.labels.result === 'retry' && v.labels.error_code === 'database')?.value ?? 0;
    const retriedBefore = await retried();
    const first = await h.addInvitation({ attempts: 2 });
    const second = await h.addInvitation({ attempts: 2 });
    const worker = h.startWorker({ pool: down, logger });
    const waiting = async (id: string) => {
      const job = await h.queue.getJob(id);
      return job && (await job.getState()) === 'delayed' && (job.attemptsStarted ?? 0) > 0 ? job : null;
    };
    const jobs = await waitFor(
      async () =>
        (await waiting(first.id)) && (await waiting(second.id)) ? [await h.queue.getJob(first.id), await h.queue.getJob(second.id)] : null,
      15_000,
      'both jobs delayed',
    );
    // Not failed, no attempt spent: a longer outage cannot use them up.
    expect(jobs.map((j) => j?.attemptsMade)).toEqual([0, 0]);
    const warned = lines.filter((l) => String(l.msg).startsWith('Postgres not reachable'));
    expect(warned).toHaveLength(1); // once, not once a job
    expect(warned[0]?.level).toBe(40);
    expect(JSON.stringify(lines)).not.toContain(first.phone.slice(4));
    // …and counted as retries, which page (KaikuSendsRetrying): delayed jobs are no backlog the gauges see (an alerts probe).
    expect((await retried()) - retriedBefore).toBeGreaterThanOrEqual(2);
    await worker.close();
    await down.end();

    // Postgres back (a sender on the working pool): each text goes, once.
    h.startWorker();
    for (const job of jobs) await job?.promote();
    for (const { id, phone } of [first, second]) {
      await waitFor(async () => ((await h.invitation(id))?.message_sid ? true : null), 15_000, 'the text sent');
      expect(await h.simMessages(phone)).toHaveLength(1);
    }
  });
});
