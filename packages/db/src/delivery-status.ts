/**
 * Twilio's delivery statuses applied to invitations: by the replies service from status callbacks,
 * and by the sender from Twilio's record of a message whose callbacks were lost.
 */
import type { Pool } from './pool.ts';

/** Twilio's message statuses in the order they can only move forward. */
export const DELIVERY_RANK: Readonly<Record<string, number>> = {
  accepted: 0,
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  read: 5,
};
const RANKS_JSON = JSON.stringify(DELIVERY_RANK);
/**
 * A send whose answer we never saw (`unknown`, or `sending` while the worker still waits, or
 * `scheduled` again after a 5xx that had in fact created the message) is settled by a callback:
 * Twilio has the message, so it counts as sent, once.
 */
const SETTLES = ['unknown', 'sending', 'scheduled'];

export interface StatusCallback {
  invitationId: string;
  messageSid: string;
  messageStatus: string;
  errorCode: number | null;
}

export type DeliveryResult = 'applied' | 'ignored' | 'unknown-invitation';

/** The invitation status a callback moves a sent (or settled) invitation to. */
function movesTo(messageStatus: string): string {
  if (messageStatus === 'delivered' || messageStatus === 'read') return 'delivered';
  if (messageStatus === 'undelivered' || messageStatus === 'failed') return messageStatus;
  return 'sent';
}

/**
 * Applies status callbacks in one round trip (kaiku_delivery_status, migration 550), in the given
 * order: idempotent and monotonic (a late `sent` never overwrites `delivered`), settles an
 * `unknown` send, and counts each send and delivery once in the rollup, in the same statement.
 */
export async function applyDeliveryStatuses(pool: Pool, callbacks: StatusCallback[], answerWindowDays: number): Promise<DeliveryResult[]> {
  const out = new Array<DeliveryResult>(callbacks.length).fill('ignored');
  const items = callbacks
    .map((cb, ord) => ({
      ord,
      inv: cb.invitationId,
      sid: cb.messageSid,
      status: cb.messageStatus,
      rank: DELIVERY_RANK[cb.messageStatus],
      moves_to: movesTo(cb.messageStatus),
      error_code: cb.errorCode,
    }))
    .filter((item) => item.rank !== undefined)
    // Invitation order (arrival order within one), so that concurrent calls lock rows in one order.
    .sort((a, b) => (a.inv < b.inv ? -1 : a.inv > b.inv ? 1 : a.ord - b.ord));
  if (items.length === 0) return out;
  const { rows } = await pool.query<{ ord: number; outcome: DeliveryResult }>(
    'SELECT ord, outcome FROM kaiku_delivery_status($1::jsonb, $2::jsonb, $3::text[], $4)',
    [JSON.stringify(items), RANKS_JSON, SETTLES, answerWindowDays],
  );
  for (const r of rows) out[r.ord] = r.outcome;
  return out;
}
