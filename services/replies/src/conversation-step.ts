import {
  advanceConversation,
  COMMENT_MAX_LENGTH,
  COMPLETED,
  isLanguage,
  type Language,
  type ParsedReply,
  type ReplyCommand,
  type SurveyDefinition,
  scoreBand,
  storableComment,
  type TextKey,
} from '@kaiku/core';
import type { ConversationWrite, OpenInvitation } from './conversation.repository.ts';

export type StepOutcome = 'score' | 'score-with-reason' | 'rescore' | 'reason' | 'not-a-score' | 'language';

/** What the conversation makes of one message on an open survey: what to store, what to answer. */
export interface ConversationStep {
  write: ConversationWrite;
  /** The text to answer with (in `replyLanguage`), or none. */
  reply: TextKey | null;
  replyLanguage: string;
  outcome: StepOutcome;
}

const BANDS = { promoter: 'promoters', passive: 'passives', detractor: 'detractors' } as const;

/**
 * Runs the pure conversation (packages/core) on the invitation as read and turns its effect into
 * one write; no I/O. The write carries the state it was decided on, so that it is stored only if
 * the invitation is still in that state.
 */
export function planConversationStep(
  inv: OpenInvitation,
  text: string,
  /** `command` is parseCommand(text) and `score` parseScoreReply(text.trim()), already parsed by the caller. */
  meta: { messageSid: string; phoneHash: string; at: Date; command: ReplyCommand | null; score: ParsedReply },
  survey: SurveyDefinition,
): ConversationStep {
  const language: Language = isLanguage(inv.language) ? inv.language : 'fi';
  const effect = advanceConversation({ step: inv.step, reasked: inv.reasked, language }, text, survey, meta.command, meta.score);
  const write: ConversationWrite = {
    sid: meta.messageSid,
    inv: inv.id,
    hash: meta.phoneHash,
    at: meta.at,
    step: inv.step,
    reasked: inv.reasked,
    language: inv.language,
    pending: inv.pending_comment,
    touch: false,
    cap: COMMENT_MAX_LENGTH,
  };
  const done = (reply: TextKey | null, outcome: StepOutcome, replyLanguage = inv.language): ConversationStep => ({
    write,
    reply,
    replyLanguage,
    outcome,
  });
  const statusAfter = (step: string) => (step === COMPLETED ? 'completed' : 'answered');
  const sameWords = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  // Words joined on to what is stored are masked as a whole with it: a phone number or a hetu
  // split across two messages ("soittakaa 040", "123 4567") is masked too.
  const joined = (stored: string | null, words: string) => storableComment(stored ? `${stored} ${words}` : words);
  const append = (words: string) => {
    const add = storableComment(words);
    return { append: add, append_joined: joined(inv.comment, words), comment_was: inv.comment };
  };

  switch (effect.kind) {
    case 'switch-language':
      Object.assign(write, { set_language: effect.language, touch: true, remember: effect.language });
      if (effect.next.reasked !== inv.reasked) write.set_reasked = true;
      return done(effect.reply, 'language', effect.language);
    case 'score': {
      // (what was said before the score once, not twice: "odotin 2 tuntia", then "5, odotin 2 tuntia")
      const reason = effect.reason ? storableComment(effect.reason) : null;
      const pending =
        inv.pending_comment && reason && sameWords(reason).includes(sameWords(inv.pending_comment)) ? null : inv.pending_comment;
      const said = [pending, reason].filter(Boolean).join(' ');
      const comment = said ? storableComment(said) : null;
      const band = BANDS[scoreBand(effect.score)];
      Object.assign(write, {
        score: effect.score,
        comment,
        promoters: band === 'promoters' ? 1 : 0,
        passives: band === 'passives' ? 1 : 0,
        detractors: band === 'detractors' ? 1 : 0,
        set_status: statusAfter(effect.next.step),
        set_step: effect.next.step,
        pending_clear: true,
        touch: true,
      });
      // A score that also asked for another language ("8 på svenska tack"): go on in it, and remember it.
      const outcome = effect.reason ? 'score-with-reason' : 'score';
      if (effect.next.language !== inv.language) {
        Object.assign(write, { set_language: effect.next.language, remember: effect.next.language });
        return done(effect.reply, outcome, effect.next.language);
      }
      return done(effect.reply, outcome);
    }
    case 'rescore':
      // The stored score is replaced (and its rollup band moved) only when it differs.
      Object.assign(write, {
        rescore: effect.score,
        ...(effect.reason ? append(effect.reason) : {}),
        ...(effect.next ? { set_status: statusAfter(effect.next.step), set_step: effect.next.step, touch: true } : {}),
      });
      return done(effect.reply, 'rescore');
    case 'reason':
      Object.assign(write, {
        ...(effect.reason ? append(effect.reason) : {}),
        set_status: statusAfter(effect.next.step),
        set_step: effect.next.step,
        touch: true,
      });
      return done(effect.reply, 'reason');
    case 'append': {
      // The answer sent again ("8 Lääkäri oli hyvä" once more): its words are stored already.
      const again = meta.score.kind === 'score' && meta.score.reason ? storableComment(meta.score.reason) : null;
      if (again && inv.comment?.includes(again)) return done(null, 'reason');
      Object.assign(write, append(effect.text));
      return done(null, 'reason');
    }
    case 'reask':
    case 'ignored':
      if (effect.note) {
        Object.assign(write, {
          pending_append: storableComment(effect.note),
          pending_joined: joined(inv.pending_comment, effect.note),
          touch: true,
        });
      }
      if (effect.kind === 'reask') {
        Object.assign(write, { set_reasked: true, touch: true });
        return done(effect.reply, 'not-a-score');
      }
      return done(null, 'not-a-score');
    default:
      return done(null, 'not-a-score');
  }
}
