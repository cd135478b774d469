import { type Pool, withTransaction } from '@kaiku/db';

/** Twilio's message statuses in the order they can only move forward. */
const DELIVERED = 4;
const SETTLES = new Set(['unknown', 'sending', 'scheduled']);
const RANK: Record<string, number> = {
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

export interface StatusCallback {
  invitationId: string;
  messageSid: string;
  messageStatus: string;
  errorCode: number | null;
}

/**
 * Applies a status callback: idempotent and monotonic (a late `sent` never overwrites
 * `delivered`), settles an `unknown` send, and counts each delivery once in the rollup.
 */
export async function applyDeliveryStatus(
  pool: Pool,
  cb: StatusCallback,
  answerWindowDays: number,
): Promise<'applied' | 'ignored' | 'unknown-invitation'> {
  const rank = RANK[cb.messageStatus];
  if (rank === undefined) return 'ignored';
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{
      status: string;
      delivery_status: string | null;
      message_sid: string | null;
      visit_day: string;
      unit_id: string;
      service: string;
      language: string;
      age_band: string | null;
      source: string;
    }>(
      `SELECT i.status, i.delivery_status, i.message_sid, v.visit_day, v.unit_id, v.service, v.language, v.age_band, v.source
       FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.id = $1 FOR UPDATE OF i`,
      [cb.invitationId],
    );
    const inv = rows[0];
    if (!inv) return 'unknown-invitation';
    if (inv.message_sid && inv.message_sid !== cb.messageSid) return 'ignored';
    const current = inv.delivery_status ? (RANK[inv.delivery_status] ?? -1) : -1;
    if (rank <= current) return 'ignored';

    const bump = (column: 'sent' | 'delivered') =>
      client.query(
        `INSERT INTO nps_daily (day, unit_id, service, language, age_band, source, ${column}) VALUES ($1,$2,$3,$4,$5,$6,1)
         ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE SET ${column} = nps_daily.${column} + 1`,
        [inv.visit_day, inv.unit_id, inv.service, inv.language, inv.age_band ?? 'unknown', inv.source],
      );
    // A send whose answer we never saw (`unknown`, or `sending` while the worker still waits, or
    // `scheduled` again after a 5xx that had in fact created the message) is settled by the
    // callback: Twilio has the message, so it counts as sent, once.
    const settles = SETTLES.has(inv.status);
    if (settles) await bump('sent');
    let status = inv.status;
    if (settles || inv.status === 'sent' || inv.status === 'delivered') {
      if (cb.messageStatus === 'delivered' || cb.messageStatus === 'read') status = 'delivered';
      else if (cb.messageStatus === 'undelivered' || cb.messageStatus === 'failed') status = cb.messageStatus;
      else status = 'sent';
    }
    if ((cb.messageStatus === 'delivered' || cb.messageStatus === 'read') && current < DELIVERED) await bump('delivered');
    await client.query(
      `UPDATE invitations SET delivery_status = $2, status = $3, message_sid = COALESCE(message_sid, $4),
         error_code = COALESCE($5, error_code),
         sent_at = COALESCE(sent_at, now()), expires_at = COALESCE(expires_at, now() + make_interval(days => $6)), updated_at = now()
       WHERE id = $1`,
      [cb.invitationId, cb.messageStatus, status, cb.messageSid, cb.errorCode, answerWindowDays],
    );
    return 'applied';
  });
}
