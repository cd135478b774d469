import type { KaikuConfig, UnitConfig } from '@kaiku/config';
import {
  carriesContent,
  commandLanguage,
  isLanguage,
  type Keys,
  type Language,
  NPS_SURVEY,
  type ParsedReply,
  parseCommand,
  parseScoreReply,
  phoneHashOf,
  type ReplyCommand,
  readCorrection,
  renderText,
  type SurveyDefinition,
  stepOf,
  type TextKey,
  toE164,
  withoutStopRequest,
} from '@kaiku/core';
import { createGroupCommit, type Pool, type PoolClient, retryIfRolledBack, withTransaction } from '@kaiku/db';
import * as repo from './conversation.repository.ts';
import { type ConversationStep, planConversationStep } from './conversation-step.ts';
import { commandOf, type InboundMessage, type InboundResult } from './inbound-message.ts';
import { storableText } from './inbound-text.ts';

export type { InboundMessage, InboundOutcome, InboundResult } from './inbound-message.ts';

export interface InboundDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  now?: () => Date;
  survey?: SurveyDefinition;
  /**
   * Group commit: conversation writes in flight at once (each holds a pool connection). Default 1:
   * under load, messages wait for the one write in flight and go together in the next, so a
   * round trip and a commit are shared by many (measured: 0.72 queries per message with 4 in
   * flight, 0.23 with 1, and about twice the throughput).
   */
  writesInFlight?: number;
  /** Grouped reads of open invitations in flight at once (default 1, as writes). */
  readsInFlight?: number;
  /** Most reads, or writes, per round trip (default 100). */
  maxGroup?: number;
}

/** Unlocked read-decide-write attempts before a message is handled under the invitation's row lock. */
const OPTIMISTIC_ATTEMPTS = 3;
/** Statuses of a survey whose score was stored. */
const ANSWERED = new Set(['answered', 'completed']);

/** A message's command (parseCommand), score (parseScoreReply) and the survey step it is for. */
interface Said {
  command: ReplyCommand | null;
  score: ParsedReply;
  step: string;
}

/** A message handled under the invitation's lock (underLock). */
interface LockedMessage {
  msg: InboundMessage;
  text: string;
  said: Said;
  command: ReplyCommand | null;
  phoneHash: string;
  thenOptOut: boolean;
}

/**
 * Advances a patient's conversation by one inbound SMS. The usual message (a score, a reason, …
 * on an open survey) costs two round trips in autocommit: a plain read of the invitation, the
 * pure conversation in Node, then one kaiku_reply_apply call that stores the MessageSid's
 * de-duplication row, the step, the response and the nps_daily counters together, only if the
 * invitation is still as read (else it is read and decided again). Concurrent writes share a
 * round trip and a commit (group commit). Opt-outs, opt-ins, closed surveys and a message that
 * keeps losing the race are handled in one transaction under the invitation's row lock.
 */
export function createInboundHandler(deps: InboundDeps) {
  const units = new Map<string, UnitConfig>(deps.kaiku.units.map((u) => [u.id, u]));
  const now = deps.now ?? (() => new Date());
  const survey = deps.survey ?? NPS_SURVEY;
  // Which of a phone's open surveys a message is for: a score goes to one waiting for its score,
  // words to one waiting for free text (the reason), before the one texted last; filler alone
  // ("Kiitos!", "ok") goes to the survey the conversation last moved, whose text the patient just got.
  const scoreStep = stepOf(survey.questions.find((q) => q.kind === 'nps'));
  const textStep = stepOf(survey.questions.find((q) => q.kind === 'free-text'));
  /** What one message says, read once: its command, its score, and the step it is for. */
  const readMessage = (text: string): Said => {
    const score = parseScoreReply(text.trim());
    // A correction ("Sorry, I meant 10") is for the survey that has a score: words, for this.
    const step = readCorrection(text.trim()) ? textStep : score.kind === 'score' ? scoreStep : carriesContent(text) ? textStep : '';
    return { command: parseCommand(text), score, step };
  };
  // Reads of concurrent messages share a round trip too; they all see the same clock reading.
  const read = createGroupCommit<{ hash: string; step: string }, { inv: repo.OpenInvitation | null; at: Date }>({
    run: async (lookups) => {
      const at = now();
      const found = await repo.findOpenInvitations(deps.pool, lookups, at);
      return lookups.map(({ hash, step }) => ({ inv: found.get(`${hash} ${step}`) ?? null, at }));
    },
    inFlight: deps.readsInFlight ?? 1,
    maxGroup: deps.maxGroup ?? 100,
  });
  const write = createGroupCommit<repo.ConversationWrite, repo.WriteOutcome>({
    // one statement: a deadlock's victim kept nothing and runs again
    run: (writes) => retryIfRolledBack(() => repo.applyConversation(deps.pool, writes)),
    inFlight: deps.writesInFlight ?? 1,
    maxGroup: deps.maxGroup ?? 100,
  });

  const render = (language: string, key: TextKey, unitId?: string) => {
    const lang: Language = isLanguage(language) ? language : 'fi';
    const unit = unitId ? units.get(unitId) : undefined;
    return renderText(lang, key, { unitNames: unit?.name, sensitive: unit?.sensitive ?? true });
  };

  const answer = (step: ConversationStep, stored: 'applied' | 'duplicate', unitId: string): InboundResult =>
    stored === 'duplicate'
      ? { reply: null, outcome: 'duplicate' }
      : { reply: step.reply ? render(step.replyLanguage, step.reply, unitId) : null, outcome: step.outcome };

  async function optInOrOut(
    client: PoolClient,
    msg: InboundMessage,
    command: ReplyCommand,
    text: string,
    phoneHash: string,
    inv: repo.OpenInvitation | null,
  ): Promise<InboundResult> {
    if (!(await repo.recordInbound(client, msg.messageSid, inv?.id ?? null))) return { reply: null, outcome: 'duplicate' };
    if (command.kind === 'opt-out') return optOut(client, msg, text, phoneHash, inv);
    const outLanguage = await repo.optIn(client, phoneHash);
    if (outLanguage === undefined) return { reply: null, outcome: 'opt-in' };
    const closed = inv ? null : await repo.findClosedSurvey(client, phoneHash);
    const language = outLanguage ?? inv?.language ?? closed?.language ?? (await fallback(client, text, phoneHash));
    // The opt-out's language went with its row: remembered as a closed survey's (no notice owed,
    // for the same 30 days), so that a later STOP, an English word, is confirmed in it as the first was.
    await repo.rememberOptedIn(client, phoneHash, language);
    return { reply: render(language, 'optedIn'), outcome: 'opt-in' };
  }

  /** The patient's language: one chosen by SMS, the language of the word itself (STOPP, LOPETA, STOP), else Finnish. */
  const fallback = async (client: PoolClient, text: string, phoneHash: string) =>
    (await repo.preferredLanguage(client, phoneHash)) ?? commandLanguage(text) ?? 'fi';

  /** The number's surveys closed and the number opted out (its message already recorded). */
  async function optOut(
    client: PoolClient,
    msg: InboundMessage,
    text: string,
    phoneHash: string,
    inv: repo.OpenInvitation | null,
  ): Promise<InboundResult> {
    const closedLanguage = await repo.closeForOptOut(client, phoneHash);
    // A STOP sent again keeps the language of the first one's answer (not the word's: STOP is English);
    // one chosen by SMS after its survey closed goes before that survey's.
    const language =
      inv?.language ??
      (closedLanguage !== null ? ((await repo.preferredLanguage(client, phoneHash)) ?? closedLanguage) : null) ??
      (await repo.optOutLanguage(client, phoneHash)) ??
      (await fallback(client, text, phoneHash));
    // Kept with the opt-out's hash, so that a later BÖRJA is confirmed in Swedish too.
    await repo.optOut(client, phoneHash, msg.optOutType ? 'twilio-opt-out' : 'sms', language);
    return { reply: render(language, 'optedOut'), outcome: 'opt-out' };
  }

  /**
   * The whole message in one transaction, the invitation locked. `thenOptOut`: a score that came
   * with a request to stop: stored on an open survey, then the number opted out.
   */
  function underLock(
    msg: InboundMessage,
    text: string,
    said: Said,
    command: ReplyCommand | null,
    phoneHash: string,
    thenOptOut = false,
  ): Promise<InboundResult> {
    return withTransaction(deps.pool, async (client) => {
      const at = now();
      const inv = await repo.findOpenInvitation(client, phoneHash, at, said.step);
      const result = await lockedStep(client, { msg, text, said, command, phoneHash, thenOptOut }, inv, at);
      return inv ? { ...result, invitationId: inv.id } : result;
    });
  }

  /** underLock's step, with the invitation it locked (or none open). */
  async function lockedStep(
    client: PoolClient,
    { msg, text, said, command, phoneHash, thenOptOut }: LockedMessage,
    inv: repo.OpenInvitation | null,
    at: Date,
  ): Promise<InboundResult> {
    // Opt-out and opt-in work with or without an open survey.
    if (command) return optInOrOut(client, msg, command, text, phoneHash, inv);
    if (thenOptOut && (!inv || inv.expired)) return optInOrOut(client, msg, { kind: 'opt-out' }, text, phoneHash, inv);

    // A language asked for after the survey closed ("SV"): kept for the number's next survey, and
    // the notice is in it. (A number Kaiku never texted gets nothing, and nothing is kept of it.)
    const asked = said.command?.kind === 'switch-language' ? said.command.language : null;
    if (!inv) {
      // A survey that closed and erased its phone data: one polite notice, nothing stored.
      const closed = await repo.findClosedSurvey(client, phoneHash);
      if (closed && asked) await repo.rememberLanguage(client, phoneHash, asked);
      if (!closed || closed.notice_sent) return { reply: null, outcome: closed ? 'closed' : 'no-invitation' };
      await repo.markClosedSurveyNoticeSent(client, phoneHash);
      return { reply: render(asked ?? closed.language, 'closed'), outcome: 'closed' };
    }
    if (inv.expired) {
      if (!(await repo.recordInbound(client, msg.messageSid, inv.id))) return { reply: null, outcome: 'duplicate' };
      if (asked) await repo.rememberLanguage(client, phoneHash, asked);
      // "…so your answer was not saved" would be untrue to a patient whose answer was saved.
      if (inv.closed_notice_sent || ANSWERED.has(inv.status)) return { reply: null, outcome: 'closed' };
      await repo.markClosedNoticeSent(client, inv.id);
      return { reply: render(asked ?? inv.language, 'closed', inv.unit_id), outcome: 'closed' };
    }
    const step = planConversationStep(
      inv,
      text,
      { messageSid: msg.messageSid, phoneHash, at, command: said.command, score: said.score },
      survey,
    );
    const [stored] = await repo.applyConversation(client, [step.write]);
    // Locked and read in this transaction: the state cannot have moved.
    if (stored !== 'applied' && stored !== 'duplicate') throw new Error(`conversation write was ${stored} under lock`);
    if (thenOptOut && stored === 'applied') return optOut(client, msg, text, phoneHash, inv);
    return answer(step, stored, inv.unit_id);
  }

  // One number's messages are handled one after another, in the order they came: a STOP that
  // overtook the score sent before it (the score waiting for a group's write, the STOP going
  // straight to its own transaction) closed the survey, and the score was lost; and its
  // confirmation went out before the score's thanks. Different numbers still go together.
  const lastOf = new Map<string, Promise<unknown>>();
  function inTurn<T>(phoneHash: string, handle: () => Promise<T>): Promise<T> {
    const turn = (lastOf.get(phoneHash) ?? Promise.resolve()).then(handle, handle);
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    lastOf.set(phoneHash, settled);
    void settled.then(() => {
      if (lastOf.get(phoneHash) === settled) lastOf.delete(phoneHash);
    });
    return turn;
  }

  return async function handleInbound(msg: InboundMessage): Promise<InboundResult> {
    const e164 = toE164(msg.from);
    if (!e164) return { reply: null, outcome: 'no-invitation' };
    const phoneHash = phoneHashOf(deps.keys, e164);
    return inTurn(phoneHash, () => handleInOrder(msg, phoneHash));
  };

  async function handleInOrder(msg: InboundMessage, phoneHash: string): Promise<InboundResult> {
    const text = storableText(msg.body);
    const said = readMessage(text);
    const command = commandOf(msg, said.command);
    if (command) return underLock(msg, text, said, command, phoneHash);
    // A request to stop beside other words ("Lopettakaa viestit, en ole käynyt siellä"), or beside
    // a score ("8 ja lopettakaa viestit", "Lopeta. 8"): the number opts out, and the rest is read as
    // the survey's next answer first: a score (with a reason beside it), or a reason to a survey
    // waiting for one ("nice nurse. STOP" after the score: the reason was lost).
    const rest = withoutStopRequest(text);
    if (rest !== null) {
      const kept = readMessage(rest);
      // (a language asked for beside the request is not taken: the number is leaving)
      return kept.score.kind === 'score' || (carriesContent(rest) && !kept.command)
        ? underLock(msg, rest, kept, null, phoneHash, true)
        : underLock(msg, text, said, { kind: 'opt-out' }, phoneHash);
    }

    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
      const { inv, at } = await read({ hash: phoneHash, step: said.step });
      if (!inv || inv.expired) break;
      const step = planConversationStep(
        inv,
        text,
        { messageSid: msg.messageSid, phoneHash, at, command: said.command, score: said.score },
        survey,
      );
      const stored = await write(step.write);
      if (stored !== 'stale') return { ...answer(step, stored, inv.unit_id), invitationId: inv.id };
    }
    return underLock(msg, text, said, command, phoneHash);
  }
}
