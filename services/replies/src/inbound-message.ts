import type { ReplyCommand } from '@kaiku/core';

export interface InboundMessage {
  messageSid: string;
  from: string;
  body: string;
  optOutType?: string | undefined;
}

/**
 * How an inbound SMS was understood (the `outcome` label of kaiku_replies_total): score,
 * score-with-reason, rescore (a new score for a stored one), reason, not-a-score, language, opt-out, opt-in, closed, no-invitation, duplicate.
 */
export type InboundOutcome =
  | 'score'
  | 'score-with-reason'
  | 'rescore'
  | 'reason'
  | 'not-a-score'
  | 'language'
  | 'opt-out'
  | 'opt-in'
  | 'closed'
  | 'no-invitation'
  | 'duplicate';

/** What the service answers (as TwiML) and what happened, for logs and metrics. */
export interface InboundResult {
  reply: string | null;
  outcome: InboundOutcome;
  /** The survey the message was read against (for the log: support finds a reply by it). */
  invitationId?: string;
}

/** An opt-out or opt-in, from Twilio's OptOutType or the text (`parsed` = parseCommand(text)). */
export function commandOf(msg: InboundMessage, parsed: ReplyCommand | null): ReplyCommand | null {
  const optOutType = msg.optOutType?.trim().toUpperCase();
  if (optOutType === 'STOP') return { kind: 'opt-out' };
  if (optOutType === 'START') return { kind: 'opt-in' };
  return parsed?.kind === 'opt-out' || parsed?.kind === 'opt-in' ? parsed : null;
}
