import type { TextKey } from '../texts/render.ts';
import type { Language } from '../visit/language.ts';
import { parseCommand } from './reply-commands.ts';
import { parseScoreReply } from './score-parser.ts';

export type ConversationStep = 'awaiting-score' | 'awaiting-reason' | 'completed';

export interface ConversationState {
  step: ConversationStep;
  reasked: boolean;
  language: Language;
}

/** What one inbound message does to an open survey; the caller stores it and sends `reply`. */
export type ConversationEffect =
  | { kind: 'score'; score: number; reason: string | null; next: ConversationState; reply: TextKey }
  | { kind: 'reason'; reason: string; next: ConversationState; reply: TextKey | null }
  | { kind: 'reask'; next: ConversationState; reply: TextKey }
  | { kind: 'ignored'; reply: null }
  | { kind: 'opt-out'; reply: TextKey }
  | { kind: 'opt-in'; reply: TextKey }
  | { kind: 'switch-language'; language: Language; next: ConversationState; reply: TextKey };

/** The question the patient is being asked at a step, to re-send after a language switch. */
export function currentQuestion(step: ConversationStep): TextKey {
  if (step === 'awaiting-score') return 'invitation';
  if (step === 'awaiting-reason') return 'askReason';
  return 'thanks';
}

export function advanceConversation(state: ConversationState, body: string): ConversationEffect {
  const command = parseCommand(body);
  if (command?.kind === 'opt-out') return { kind: 'opt-out', reply: 'optedOut' };
  if (command?.kind === 'opt-in') return { kind: 'opt-in', reply: 'optedIn' };
  if (command?.kind === 'switch-language') {
    return {
      kind: 'switch-language',
      language: command.language,
      next: { ...state, language: command.language },
      reply: currentQuestion(state.step),
    };
  }
  const text = body.trim();
  switch (state.step) {
    case 'awaiting-score': {
      const parsed = parseScoreReply(text);
      if (parsed.kind === 'score') {
        const done = parsed.reason !== null;
        return {
          kind: 'score',
          score: parsed.score,
          reason: parsed.reason,
          next: { ...state, step: done ? 'completed' : 'awaiting-reason' },
          reply: done ? 'thanks' : 'askReason',
        };
      }
      if (state.reasked) return { kind: 'ignored', reply: null };
      return { kind: 'reask', next: { ...state, reasked: true }, reply: 'reask' };
    }
    case 'awaiting-reason':
      if (!text) return { kind: 'ignored', reply: null };
      return { kind: 'reason', reason: text, next: { ...state, step: 'completed' }, reply: 'thanks' };
    case 'completed':
      if (!text) return { kind: 'ignored', reply: null };
      return { kind: 'reason', reason: text, next: state, reply: null };
  }
}
