import type { TwilioClient } from './twilio-client.ts';

/** How far before an attempt a message found at Twilio still counts as that attempt's. */
const LOOKUP_SLACK_MS = 5 * 60_000;

export interface OutboundMessage {
  sid: string;
  body: string;
}

/**
 * The messages sent to this number since `since` (less the slack), newest first, from Twilio's
 * message log: what tells whether an attempt that ended without an answer had created one.
 */
export async function messagesSentTo(twilio: TwilioClient, to: string, since: Date | null): Promise<OutboundMessage[]> {
  const from = (since?.getTime() ?? 0) - LOOKUP_SLACK_MS;
  const recent = await twilio.messages.list({ to, limit: 20, pageSize: 20 });
  return recent
    .filter((m) => m.direction !== 'inbound' && (m.dateCreated ? m.dateCreated.getTime() >= from : true))
    .map((m) => ({ sid: m.sid, body: m.body }));
}
