import { randomBytes } from 'node:crypto';

export interface SimMessage {
  sid: string;
  direction: 'outbound-api' | 'outbound-reply' | 'inbound';
  from: string;
  to: string;
  body: string;
  status: string;
  numSegments: number;
  statusCallback: string | null;
  messagingServiceSid: string | null;
  validityPeriod: number | null;
  dateCreated: Date;
}

export function newSid(prefix: 'SM' | 'MM' = 'SM'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** What the simulator has seen, in memory, in order. */
export function createMessageStore() {
  const messages: SimMessage[] = [];
  return {
    add(m: SimMessage) {
      messages.push(m);
      return m;
    },
    list(filter: { to?: string | undefined; direction?: string | undefined } = {}) {
      return messages.filter((m) => (!filter.to || m.to === filter.to) && (!filter.direction || m.direction === filter.direction));
    },
    get(sid: string) {
      return messages.find((m) => m.sid === sid);
    },
    clear() {
      messages.length = 0;
    },
  };
}
export type MessageStore = ReturnType<typeof createMessageStore>;
