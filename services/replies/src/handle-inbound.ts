import type { KaikuConfig, UnitConfig } from '@kaiku/config';
import {
  advanceConversation,
  COMMENT_MAX_LENGTH,
  type ConversationStep,
  isLanguage,
  type Keys,
  type Language,
  maskPersonalData,
  parseCommand,
  phoneHashOf,
  renderText,
  scoreBand,
  type TextKey,
  toE164,
} from '@kaiku/core';
import { type Pool, withTransaction } from '@kaiku/db';
import * as repo from './conversation.repository.ts';

export interface InboundMessage {
  messageSid: string;
  from: string;
  body: string;
  optOutType?: string | undefined;
}

/** What the service answers (as TwiML) and what happened, for logs and metrics. */
export interface InboundResult {
  reply: string | null;
  outcome: string;
}

export interface InboundDeps {
  pool: Pool;
  kaiku: KaikuConfig;
  keys: Keys;
  now?: () => Date;
}

const BANDS = { promoter: 'promoters', passive: 'passives', detractor: 'detractors' } as const;

/** Advances a patient's conversation by one inbound SMS, in one transaction. */
export function createInboundHandler(deps: InboundDeps) {
  const units = new Map<string, UnitConfig>(deps.kaiku.units.map((u) => [u.id, u]));
  const now = deps.now ?? (() => new Date());

  return async function handleInbound(msg: InboundMessage): Promise<InboundResult> {
    const e164 = toE164(msg.from);
    if (!e164) return { reply: null, outcome: 'unknown-sender' };
    const phoneHash = phoneHashOf(deps.keys, e164);
    const text = msg.body.normalize('NFC');

    return withTransaction(deps.pool, async (client) => {
      const inv = await repo.findOpenInvitation(client, phoneHash, now());
      const command =
        msg.optOutType?.toUpperCase() === 'STOP'
          ? ({ kind: 'opt-out' } as const)
          : msg.optOutType?.toUpperCase() === 'START'
            ? ({ kind: 'opt-in' } as const)
            : parseCommand(text);
      const render = (language: string, key: TextKey) => {
        const lang: Language = isLanguage(language) ? language : 'fi';
        const unit = inv ? units.get(inv.unit_id) : undefined;
        return renderText(lang, key, { unitNames: unit?.name, sensitive: unit?.sensitive ?? true });
      };

      // Opt-out and opt-in work with or without an open survey.
      if (command?.kind === 'opt-out' || command?.kind === 'opt-in') {
        if (!(await repo.recordInbound(client, msg.messageSid, inv?.id ?? null))) return { reply: null, outcome: 'duplicate' };
        const language = inv?.language ?? (await repo.preferredLanguage(client, phoneHash)) ?? 'fi';
        if (command.kind === 'opt-out') {
          await repo.optOut(client, phoneHash, msg.optOutType ? 'twilio-opt-out' : 'sms');
          return { reply: render(language, 'optedOut'), outcome: 'opted-out' };
        }
        const wasOut = await repo.optIn(client, phoneHash);
        return { reply: wasOut ? render(language, 'optedIn') : null, outcome: wasOut ? 'opted-in' : 'ignored' };
      }
      if (!inv) return { reply: null, outcome: 'no-open-survey' };
      if (!(await repo.recordInbound(client, msg.messageSid, inv.id))) return { reply: null, outcome: 'duplicate' };
      if (inv.expired) {
        if (inv.closed_notice_sent) return { reply: null, outcome: 'closed' };
        await repo.markClosedNoticeSent(client, inv.id);
        return { reply: render(inv.language, 'closed'), outcome: 'closed' };
      }

      const effect = advanceConversation(
        { step: inv.step, reasked: inv.reasked, language: isLanguage(inv.language) ? inv.language : 'fi' },
        text,
      );
      switch (effect.kind) {
        case 'switch-language': {
          await repo.updateStep(client, inv.id, { language: effect.language });
          await repo.rememberLanguage(client, phoneHash, effect.language);
          return { reply: render(effect.language, effect.reply), outcome: 'language-switched' };
        }
        case 'score': {
          const comment = effect.reason ? maskPersonalData(effect.reason).slice(0, COMMENT_MAX_LENGTH) : null;
          await repo.insertResponse(client, inv, effect.score, comment);
          await repo.bumpAnswerRollup(client, inv, BANDS[scoreBand(effect.score)], comment !== null);
          await repo.updateStep(client, inv.id, { status: comment ? 'completed' : 'answered', step: effect.next.step });
          return { reply: render(inv.language, effect.reply), outcome: comment ? 'score-and-reason' : 'score' };
        }
        case 'reason': {
          const comment = maskPersonalData(effect.reason).slice(0, COMMENT_MAX_LENGTH);
          const first = await repo.appendComment(client, inv.id, comment, COMMENT_MAX_LENGTH);
          if (first) await repo.bumpAnswerRollup(client, inv, null, true);
          await repo.updateStep(client, inv.id, { status: 'completed', step: 'completed' satisfies ConversationStep });
          return { reply: effect.reply ? render(inv.language, effect.reply) : null, outcome: 'reason' };
        }
        case 'reask': {
          await repo.updateStep(client, inv.id, { reasked: true });
          return { reply: render(inv.language, effect.reply), outcome: 'reask' };
        }
        default:
          return { reply: null, outcome: 'ignored' };
      }
    });
  };
}
