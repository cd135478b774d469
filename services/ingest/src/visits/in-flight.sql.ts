// SQL shared by cancellations and patient updates: texts that went, or may have gone, keep a withdrawal.

/** Sending, unknown, or waiting for a retry that first looks at Twilio (an attempt got a 5xx: it may have gone). */
const IN_FLIGHT = `(i.status IN ('sending', 'unknown') OR (i.status = 'scheduled' AND i.lookup_before_retry))`;

/**
 * Texts in flight (`sending`) or that may have gone (`unknown`, or `scheduled` for a retry after a
 * 5xx) keep the withdrawal: the sender cancels or skips them by it once Twilio's log shows they did
 * not go, and never sends them again (migration 690). `where` selects the invitations (as `i`, visits as `v`); the
 * reason is SQL (a parameter or a literal). The first withdrawal stays; `updated_at` too (the
 * reconciler waits from the attempt, not from this).
 */
export const IN_FLIGHT_WITHDRAWN = (where: string, reason: string) => `
  UPDATE invitations i SET withdrawn_reason = coalesce(i.withdrawn_reason, ${reason})
    FROM visits v WHERE v.id = i.visit_id AND ${IN_FLIGHT} AND (${where})`;
