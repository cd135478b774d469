import { createPool } from '@kaiku/db';
import { waitFor } from '@kaiku/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

/** Postgres gone while send jobs are due: the jobs fail (ingest re-queues them), and the log says why. */
describe('sender: Postgres unreachable', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('logs each attempt that could not reach Postgres, and when the attempts are spent', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const down = createPool('postgres://postgres@127.0.0.1:1/kaiku', { max: 1 });
    const { id, phone } = await h.addInvitation({ attempts: 2 });
    h.startWorker({ pool: down, logger });
    await waitFor(() => lines.some((l) => String(l.msg).includes('attempts are spent')), 15_000, 'the last attempt logged');
    const ours = lines.filter((l) => l.jobId === id);
    expect(ours.map((l) => [l.level, l.msg])).toEqual([
      [40, 'send job could not reach Postgres; will retry'],
      [40, 'send job could not reach Postgres; its attempts are spent (ingest re-queues it while the survey is scheduled)'],
    ]);
    expect(JSON.stringify(lines)).not.toContain(phone.slice(4));
    await down.end();
  });
});
