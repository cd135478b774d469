import { randomUUID } from 'node:crypto';

export interface SimMessage {
  sid: string;
  direction: 'outbound-api' | 'outbound-reply' | 'inbound';
  from: string;
  to: string;
  body: string;
  status: string;
  /** Twilio's error code of an undelivered message (the carrier's, 30xxx). */
  errorCode?: number;
  numSegments: number;
  statusCallback: string | null;
  messagingServiceSid: string | null;
  validityPeriod: number | null;
  dateCreated: Date;
}

/** A Twilio-shaped sid: the prefix and 32 hex digits (a random UUID's, which Node draws from a cached pool). */
export function newSid(prefix: 'SM' | 'MM' = 'SM'): string {
  return `${prefix}${randomUUID().replaceAll('-', '')}`;
}

/** How many messages the simulator keeps by default (`SMS_SIM_MAX_MESSAGES`). */
export const DEFAULT_MAX_MESSAGES = 10_000;

/**
 * What the simulator has seen, in memory, in order: the newest `maxMessages` only (the oldest is
 * forgotten when one more arrives), so a long run stays within a bounded memory. A forgotten
 * message is no longer listed, nor found by the Messages API's list (as if it had aged out of
 * Twilio's log); its status callbacks still go out. Look-ups by sid and by number are indexed.
 */
export function createMessageStore(maxMessages = DEFAULT_MAX_MESSAGES) {
  const bySid = new Map<string, SimMessage>(); // insertion order = arrival order
  const byTo = new Map<string, SimMessage[]>();
  const forgetOldest = () => {
    const oldest = bySid.values().next().value as SimMessage;
    bySid.delete(oldest.sid);
    const list = byTo.get(oldest.to);
    if (list?.[0] === oldest) list.shift();
    else if (list) list.splice(list.indexOf(oldest), 1);
    if (list?.length === 0) byTo.delete(oldest.to);
  };
  return {
    maxMessages,
    add(m: SimMessage) {
      if (bySid.size >= maxMessages) forgetOldest();
      bySid.set(m.sid, m);
      const list = byTo.get(m.to);
      if (list) list.push(m);
      else byTo.set(m.to, [m]);
      return m;
    },
    list(filter: { to?: string | undefined; direction?: string | undefined } = {}) {
      const from = filter.to ? (byTo.get(filter.to) ?? []) : bySid.values();
      const out: SimMessage[] = [];
      for (const m of from) if (!filter.direction || m.direction === filter.direction) out.push(m);
      return out;
    },
    get(sid: string) {
      return bySid.get(sid);
    },
    size() {
      return bySid.size;
    },
    clear() {
      bySid.clear();
      byTo.clear();
    },
  };
}
export type MessageStore = ReturnType<typeof createMessageStore>;
