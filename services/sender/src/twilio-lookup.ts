import type { TwilioClient } from './twilio-client.ts';

/** How far before an attempt a message found at Twilio still counts as that attempt's. */
const LOOKUP_SLACK_MS = 5 * 60_000;

export interface OutboundMessage {
  sid: string;
  body: string;
}

/**
 * The messages our API calls sent to this number since `since` (less the slack), newest first, from
 * Twilio's message log: what tells whether an attempt that ended without an answer had created one.
 * Answers to the patient's replies (TwiML, `outbound-reply`) are not such a message.
 */
async function messagesSentTo(twilio: TwilioClient, to: string, since: Date | null): Promise<OutboundMessage[]> {
  const from = (since?.getTime() ?? 0) - LOOKUP_SLACK_MS;
  // Room for the answers to a patient's replies (TwiML) too, which are filtered out below.
  const recent = await twilio.messages.list({ to, limit: 50, pageSize: 50 });
  return recent
    .filter((m) => m.direction === 'outbound-api' && (m.dateCreated ? m.dateCreated.getTime() >= from : true))
    .map((m) => ({ sid: m.sid, body: m.body }));
}

/**
 * What Twilio's log says of one invitation's earlier attempt: its message (`sid`), `other` when
 * only other messages went to the number since, or null when nothing did. `taken`: the sids among
 * them that are other invitations' texts (a second survey to a shared phone, word for word the
 * same), which are neither this one's nor a sign of it.
 */
export async function earlierAttempt(
  twilio: TwilioClient,
  to: string,
  body: string,
  since: Date | null,
  taken: (sids: string[]) => Promise<Set<string>>,
): Promise<string | 'other' | null> {
  const all = await messagesSentTo(twilio, to, since);
  const known = all.length ? await taken(all.map((m) => m.sid)) : new Set<string>();
  const sent = all.filter((m) => !known.has(m.sid));
  return sent.find((m) => m.body === body)?.sid ?? (sent.length > 0 ? 'other' : null);
}
