import type { KaikuConfig, UnitConfig } from '@kaiku/config';
import {
  advanceConversation,
  COMMENT_MAX_LENGTH,
  COMPLETED,
  isLanguage,
  type Keys,
  type Language,
  NPS_SURVEY,
  parseCommand,
  phoneHashOf,
  type ReplyCommand,
  renderText,
  type SurveyDefinition,
  scoreBand,
  storableComment,
  type TextKey,
  toE164,
} from '@kaiku/core';
import { type Pool, type PoolClient, withTransaction } from '@kaiku/db';
import * as repo from './conversation.repository.ts';

export interface InboundMessage {
  messageSid: string;
  from: string;
  body: string;
  optOutType?: string | undefined;
}

/**
 * How an inbound SMS was understood (the `outcome` label of kaiku_replies_total): score,
 * score-with-reason, reason, not-a-score, language, opt-out, opt-in, closed, no-invitation, duplicate.
 */
export type InboundOutcome =
  | 'score'
  | 'score-with-reason'
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
}

export interface InboundDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  now?: () => Date;
  survey?: SurveyDefinition;
}

const BANDS = { promoter: 'promoters', passive: 'passives', detractor: 'detractors' } as const;

function commandOf(msg: InboundMessage, text: string): ReplyCommand | null {
  const optOutType = msg.optOutType?.trim().toUpperCase();
  if (optOutType === 'STOP') return { kind: 'opt-out' };
  if (optOutType === 'START') return { kind: 'opt-in' };
  const command = parseCommand(text);
  return command?.kind === 'opt-out' || command?.kind === 'opt-in' ? command : null;
}

/**
 * Advances a patient's conversation by one inbound SMS, in one transaction: the MessageSid's
 * de-duplication row, the step, the response and the nps_daily counters commit together.
 */
export function createInboundHandler(deps: InboundDeps) {
  const units = new Map<string, UnitConfig>(deps.kaiku.units.map((u) => [u.id, u]));
  const now = deps.now ?? (() => new Date());
  const survey = deps.survey ?? NPS_SURVEY;

  const render = (language: string, key: TextKey, unitId?: string) => {
    const lang: Language = isLanguage(language) ? language : 'fi';
    const unit = unitId ? units.get(unitId) : undefined;
    return renderText(lang, key, { unitNames: unit?.name, sensitive: unit?.sensitive ?? true });
  };

  async function optInOrOut(
    client: PoolClient,
    msg: InboundMessage,
    command: ReplyCommand,
    phoneHash: string,
    inv: repo.OpenInvitation | null,
  ): Promise<InboundResult> {
    if (!(await repo.recordInbound(client, msg.messageSid, inv?.id ?? null))) return { reply: null, outcome: 'duplicate' };
    const closed = inv ? null : await repo.findClosedSurvey(client, phoneHash);
    const language = inv?.language ?? closed?.language ?? (await repo.preferredLanguage(client, phoneHash)) ?? 'fi';
    if (command.kind === 'opt-out') {
      await repo.optOut(client, phoneHash, msg.optOutType ? 'twilio-opt-out' : 'sms');
      // Kept by hash like the opt-out itself, so that a later BÖRJA is confirmed in Swedish.
      if (inv) await repo.rememberLanguage(client, phoneHash, language);
      return { reply: render(language, 'optedOut'), outcome: 'opt-out' };
    }
    const wasOut = await repo.optIn(client, phoneHash);
    return { reply: wasOut ? render(language, 'optedIn') : null, outcome: 'opt-in' };
  }

  return async function handleInbound(msg: InboundMessage): Promise<InboundResult> {
    const e164 = toE164(msg.from);
    if (!e164) return { reply: null, outcome: 'no-invitation' };
    const phoneHash = phoneHashOf(deps.keys, e164);
    const text = storableText(msg.body);
    const command = commandOf(msg, text);

    return withTransaction(deps.pool, async (client) => {
      const inv = await repo.findOpenInvitation(client, phoneHash, now());
      // Opt-out and opt-in work with or without an open survey.
      if (command) return optInOrOut(client, msg, command, phoneHash, inv);

      if (!inv) {
        // A survey that closed and erased its phone data: one polite notice, nothing stored.
        const closed = await repo.findClosedSurvey(client, phoneHash);
        if (!closed || closed.notice_sent) return { reply: null, outcome: closed ? 'closed' : 'no-invitation' };
        await repo.markClosedSurveyNoticeSent(client, phoneHash);
        return { reply: render(closed.language, 'closed'), outcome: 'closed' };
      }
      if (!(await repo.recordInbound(client, msg.messageSid, inv.id))) return { reply: null, outcome: 'duplicate' };
      if (inv.expired) {
        if (inv.closed_notice_sent) return { reply: null, outcome: 'closed' };
        await repo.markClosedNoticeSent(client, inv.id);
        return { reply: render(inv.language, 'closed', inv.unit_id), outcome: 'closed' };
      }

      const language: Language = isLanguage(inv.language) ? inv.language : 'fi';
      const effect = advanceConversation({ step: inv.step, reasked: inv.reasked, language }, text, survey);
      const reply = (key: TextKey, lang: string = inv.language) => render(lang, key, inv.unit_id);
      switch (effect.kind) {
        case 'switch-language': {
          await repo.updateStep(client, inv.id, { language: effect.language });
          await repo.rememberLanguage(client, phoneHash, effect.language);
          return { reply: reply(effect.reply, effect.language), outcome: 'language' };
        }
        case 'score': {
          const said = [inv.pending_comment, effect.reason ? storableComment(effect.reason) : null].filter(Boolean).join(' ');
          const comment = said ? storableComment(said) : null;
          await repo.insertResponse(client, inv, effect.score, comment);
          await repo.bumpAnswerRollup(client, inv, BANDS[scoreBand(effect.score)], comment !== null);
          await repo.updateStep(client, inv.id, {
            status: effect.next.step === COMPLETED ? 'completed' : 'answered',
            step: effect.next.step,
          });
          await repo.clearPending(client, inv.id);
          return { reply: reply(effect.reply), outcome: effect.reason ? 'score-with-reason' : 'score' };
        }
        case 'reason':
        case 'append': {
          const words = storableComment(effect.kind === 'reason' ? effect.reason : effect.text);
          const first = await repo.appendComment(client, inv.id, words, COMMENT_MAX_LENGTH);
          if (first) await repo.bumpAnswerRollup(client, inv, null, true);
          if (effect.kind === 'reason') {
            await repo.updateStep(client, inv.id, {
              status: effect.next.step === COMPLETED ? 'completed' : 'answered',
              step: effect.next.step,
            });
            return { reply: reply(effect.reply), outcome: 'reason' };
          }
          return { reply: null, outcome: 'reason' };
        }
        case 'reask':
        case 'ignored': {
          if (effect.note) await repo.appendPending(client, inv.id, storableComment(effect.note), COMMENT_MAX_LENGTH);
          if (effect.kind === 'reask') {
            await repo.updateStep(client, inv.id, { reasked: true });
            return { reply: reply(effect.reply), outcome: 'not-a-score' };
          }
          return { reply: null, outcome: 'not-a-score' };
        }
        default:
          return { reply: null, outcome: 'not-a-score' };
      }
    });
  };
}

/** The body as it may be parsed and stored: NFC, no control characters, at most 1,600 characters. */
export function storableText(body: string): string {
  const clean = body
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu, '\uFFFD')
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters never reach storage
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/gu, '');
  return clean.length > 1600 ? clean.slice(0, 1600) : clean;
}
