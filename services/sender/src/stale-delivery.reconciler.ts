import type { KaikuConfig } from '@kaiku/config';
import { applyDeliveryStatuses, type Pool, type StatusCallback } from '@kaiku/db';
import { countDeliveryStatus, createRepeatingTask } from '@kaiku/http';
import type { Logger } from 'pino';
import type { TwilioClient } from './twilio-client.ts';

export interface StaleDeliveryReconcilerDeps {
  pool: Pool;
  twilio: TwilioClient;
  kaiku: KaikuConfig;
  logger: Logger;
  /** How long after the send a missing delivery report is looked up (default 1 hour). */
  settleAfterMs?: number;
  /** How long before a text whose report is still missing is looked up again (default 1 day). */
  recheckAfterMs?: number;
  /** How often it looks (default 5 minutes). */
  intervalMs?: number;
  batchSize?: number;
}

/** Twilio's statuses after which no other comes. */
const FINAL = new Set(['delivered', 'undelivered', 'failed', 'read']);

/**
 * Settles sent texts whose delivery report never came. Twilio does not send a status callback
 * again when the replies service could not take it (a Postgres outage answered 503), so the
 * invitation stayed `sent` and the funnel's delivered figure short for good. An hour after the
 * send, then once a day while its survey is open, Twilio's record of the message (by its sid) is
 * read, and a final status there is applied as its callback would have been (the same statement:
 * monotonic, counted once). Safe in several sender processes: the statement changes only what a
 * callback could.
 */
export function createStaleDeliveryReconciler(deps: StaleDeliveryReconcilerDeps) {
  const settleAfterMs = deps.settleAfterMs ?? 3600_000;
  const recheckAfterMs = deps.recheckAfterMs ?? 24 * 3600_000;
  const intervalMs = deps.intervalMs ?? 5 * 60_000;
  const batchSize = deps.batchSize ?? 100;

  async function runOnce(): Promise<{ checked: number; settled: number }> {
    const { rows } = await deps.pool.query<{ id: string; message_sid: string }>(
      `SELECT id, message_sid FROM invitations
        WHERE status = 'sent' AND message_sid IS NOT NULL AND expires_at > now()
          AND sent_at < now() - make_interval(secs => $1)
          AND (delivery_checked_at IS NULL OR delivery_checked_at < now() - make_interval(secs => $2))
        ORDER BY sent_at LIMIT $3`,
      [settleAfterMs / 1000, recheckAfterMs / 1000, batchSize],
    );
    const reports: StatusCallback[] = [];
    const checked: string[] = [];
    for (const row of rows) {
      try {
        const message = await deps.twilio.messages(row.message_sid).fetch();
        if (FINAL.has(message.status)) {
          reports.push({
            invitationId: row.id,
            messageSid: row.message_sid,
            messageStatus: message.status,
            errorCode: message.errorCode ?? null,
          });
        }
      } catch (error) {
        // Twilio down or refusing: what is checked so far is kept, the rest waits for the next run.
        if ((error as { status?: number }).status !== 404) {
          deps.logger.warn({ err: { message: (error as Error).message } }, 'could not read sent texts’ delivery from Twilio; will retry');
          break;
        }
      }
      checked.push(row.id);
    }
    const results = reports.length ? await applyDeliveryStatuses(deps.pool, reports, deps.kaiku.survey.answerWindowDays) : [];
    let settled = 0;
    results.forEach((result, i) => {
      if (result !== 'applied') return;
      settled += 1;
      const { messageStatus, errorCode } = reports[i] as StatusCallback;
      countDeliveryStatus(messageStatus, errorCode);
    });
    if (checked.length) await deps.pool.query('UPDATE invitations SET delivery_checked_at = now() WHERE id = ANY($1::uuid[])', [checked]);
    if (settled > 0)
      deps.logger.info({ checked: checked.length, settled }, 'delivery of sent texts settled from Twilio (their reports never came)');
    return { checked: checked.length, settled };
  }

  const task = createRepeatingTask({
    run: runOnce,
    onError: (error) => deps.logger.warn({ err: { message: error.message } }, 'could not settle sent texts’ delivery; will retry'),
    intervalMs,
    firstDelayMs: intervalMs,
  });
  return { runOnce, start: task.start, stop: task.stop };
}
