import type { TextKey } from '../texts/render.ts';
import type { Language } from '../visit/language.ts';
import { parseCommand, type ReplyCommand } from './reply-commands.ts';
import { readCorrection } from './score-correction.ts';
import { carriesContent, type NotAScore, type ParsedReply, parseScoreReply } from './score-parser.ts';
import { COMPLETED, NPS_SURVEY, questionAt, type SurveyDefinition, stepOf } from './survey-definition.ts';

/** `awaiting-score`, `awaiting-reason`, `completed` for Kaiku's survey (see survey-definition.ts). */
export type ConversationStep = string;

export interface ConversationState {
  step: ConversationStep;
  reasked: boolean;
  language: Language;
}

/** What one inbound message does to an open survey; the caller stores it and sends `reply`. */
export type ConversationEffect =
  /** A score, and the reason when the same message gave one ("8 hyvä palvelu"). */
  | { kind: 'score'; score: number; reason: string | null; next: ConversationState; reply: TextKey }
  /** The answer to a free-text question; null when it says nothing ("Kiitos", "ok", "👍", "-"). */
  | { kind: 'reason'; reason: string | null; next: ConversationState; reply: TextKey }
  /**
   * A new score for the one stored, once it is stored ("Ei kun 10", "Sorry, I meant 9", or a bare
   * score: "8", then "10"), with the reason after it if any; `next` and `reply` as for a reason
   * when the survey waited for one, none when it was complete.
   */
  | { kind: 'rescore'; score: number; reason: string | null; next: ConversationState | null; reply: TextKey | null }
  /** More words after the survey is complete: appended to the reason, no reply. */
  | { kind: 'append'; text: string; reply: null }
  /** Not a score: asked once more. `note` is what the patient wrote, kept if it says something. */
  | { kind: 'reask'; why: NotAScore; note: string | null; next: ConversationState; reply: TextKey }
  /** Not a score after the re-ask, or an empty message: silence. */
  | { kind: 'ignored'; why: NotAScore | 'empty'; note: string | null; reply: null }
  | { kind: 'opt-out'; reply: TextKey }
  | { kind: 'opt-in'; reply: TextKey }
  /** `reply` null: the language already in use, asked for again after its one re-send. */
  | { kind: 'switch-language'; language: Language; next: ConversationState; reply: TextKey | null };

/** The text that asks the current step's question, re-sent after a language switch. */
export function currentQuestion(step: ConversationStep, survey: SurveyDefinition = NPS_SURVEY): TextKey {
  return questionAt(survey, step)?.question.prompt ?? 'languageSwitched';
}

/**
 * What `body` does at `state`. `command` is `parseCommand(body)` and `score` is
 * `parseScoreReply(body.trim())`, for a caller that has already parsed them (the replies service
 * checks for opt-outs first, and routes a score to a survey waiting for one); they must be that,
 * not another text's.
 */
export function advanceConversation(
  state: ConversationState,
  body: string,
  survey: SurveyDefinition = NPS_SURVEY,
  command: ReplyCommand | null = parseCommand(body),
  score?: ParsedReply,
): ConversationEffect {
  if (command?.kind === 'opt-out') return { kind: 'opt-out', reply: 'optedOut' };
  if (command?.kind === 'opt-in') return { kind: 'opt-in', reply: 'optedIn' };
  if (command?.kind === 'switch-language') {
    // The language already in use: the question once more (that is the one re-ask), then silence,
    // so that "SV" sent again and again does not bring a two-segment text each time.
    const same = command.language === state.language;
    return {
      kind: 'switch-language',
      language: command.language,
      next: { ...state, language: command.language, reasked: state.reasked || same },
      reply: same && state.reasked ? null : currentQuestion(state.step, survey),
    };
  }
  const text = body.trim();
  const at = questionAt(survey, state.step);
  if (!at) {
    // "Kiitos!" to the thanks is a courtesy, not more feedback; a bare score or a correction gives the
    // score anew (the same one sent again changes nothing).
    if (state.step !== COMPLETED || !carriesContent(text)) return { kind: 'ignored', why: 'empty', note: null, reply: null };
    // After the thanks only a correction said in words replaces the score ("Sori, piti olla 9"); a
    // bare number ("0", a day later) could be anything, and would move a promoter silently.
    const corrected = readCorrection(text);
    if (corrected) return { kind: 'rescore', ...corrected, next: null, reply: null };
    const parsed = score ?? parseScoreReply(text);
    if (parsed.kind === 'score' && parsed.reason === null) return { kind: 'ignored', why: 'empty', note: null, reply: null };
    // Kept as written ("Ja lääkäri oli 10/10", "10 hoitajalle": a number in them is part of what
    // they say); the answer sent again, whose words the comment holds, is the caller's to drop.
    return { kind: 'append', text, reply: null };
  }
  const after = (index: number) => {
    const nextQuestion = survey.questions[index];
    return { step: stepOf(nextQuestion), reply: nextQuestion?.prompt ?? survey.thanks };
  };

  if (at.question.kind === 'free-text') {
    if (!text) return { kind: 'ignored', why: 'empty', note: null, reply: null };
    const n = after(at.index + 1);
    // A bare score ("10", "ysi kiitos") or a correction ("Ei kun 10") is no reason: the score it
    // gives replaces the stored one (the same score sent again changes nothing), and the survey ends.
    const corrected = correctionOf(text, score);
    if (corrected) return { kind: 'rescore', ...corrected, next: { ...state, step: n.step }, reply: n.reply };
    // "ok", "Kiitos", "👍", "-" to "why?": the patient has nothing to add, which ends the survey too.
    return { kind: 'reason', reason: carriesContent(text) ? text : null, next: { ...state, step: n.step }, reply: n.reply };
  }

  // Words of correction before the score ("Sorry, I meant 10" after a slip that was re-asked) are no reason.
  const corrected = readCorrection(text);
  const parsed: ParsedReply = corrected ? { kind: 'score', ...corrected } : (score ?? parseScoreReply(text));
  if (parsed.kind === 'score') {
    // A language asked for beside it ("8 på svenska tack", "8 bra service. På svenska tack"): the
    // conversation goes on in it, and the rest of the words are the reason.
    const asked = parsed.reason !== null ? languageAsked(parsed.reason) : null;
    const reason = asked ? asked.rest : parsed.reason;
    // A reason in the same message answers a free-text question that follows.
    const answersNext = reason !== null && survey.questions[at.index + 1]?.kind === 'free-text';
    const n = after(at.index + (answersNext ? 2 : 1));
    const language = asked?.language ?? state.language;
    return { kind: 'score', score: parsed.score, reason, next: { ...state, step: n.step, language }, reply: n.reply };
  }
  const note = text && carriesContent(text) ? text : null;
  if (state.reasked || parsed.why === 'empty') return { kind: 'ignored', why: parsed.why, note, reply: null };
  return { kind: 'reask', why: parsed.why, note, next: { ...state, reasked: true }, reply: at.question.reask };
}

/**
 * Once a score is stored: a new one in words of correction ("Sori, piti olla 9", with any reason
 * after it), or a score with nothing but filler around it ("10", "ysi kiitos"). Null for anything
 * else ("10 koska nopea" to "why?" is a reason that starts with a number).
 */
function correctionOf(text: string, score: ParsedReply | undefined): { score: number; reason: string | null } | null {
  const corrected = readCorrection(text);
  if (corrected) return corrected;
  const parsed = score ?? parseScoreReply(text);
  return parsed.kind === 'score' && parsed.reason === null ? { score: parsed.score, reason: null } : null;
}

/** A clause of the reason that asks for another language ("på svenska tack"), and the rest of it. */
function languageAsked(reason: string): { language: Language; rest: string | null } | null {
  const clauses = reason.split(/(?<=[.,;!?])\s+/u);
  for (const [k, clause] of clauses.entries()) {
    const command = parseCommand(clause.replace(/[.,;!?]+$/u, '').trim());
    if (command?.kind !== 'switch-language') continue;
    const rest = clauses
      .filter((_, j) => j !== k)
      .join(' ')
      .replace(/[\s,;]+$/u, '')
      .trim();
    return { language: command.language, rest: rest && carriesContent(rest) ? rest : null };
  }
  return null;
}
