import type { TextKey } from '../texts/render.ts';

/**
 * A survey as data: its questions in order and the texts that ask them. The conversation walks
 * this list, so a new question (a THL statement on 1–5, a monthly pulse question) is a new entry
 * here plus its texts, not new conversation code. Steps are named `awaiting-<question id>` and
 * `completed`.
 */
export type SurveyQuestion =
  /** The recommendation question, 0–10, read by `parseScoreReply`; one re-ask on a non-score. */
  | { id: string; kind: 'nps'; prompt: TextKey; reask: TextKey }
  /** Free text; optional, any text answers it. */
  | { id: string; kind: 'free-text'; prompt: TextKey };

export interface SurveyDefinition {
  questions: readonly SurveyQuestion[];
  /** Sent when the last question is answered. */
  thanks: TextKey;
}

/** Kaiku's survey: the 0–10 score, then an optional reason. */
export const NPS_SURVEY: SurveyDefinition = {
  questions: [
    { id: 'score', kind: 'nps', prompt: 'invitation', reask: 'reask' },
    { id: 'reason', kind: 'free-text', prompt: 'askReason' },
  ],
  thanks: 'thanks',
};

export const COMPLETED = 'completed';

export function stepOf(question: SurveyQuestion | undefined): string {
  return question ? `awaiting-${question.id}` : COMPLETED;
}

export function questionAt(survey: SurveyDefinition, step: string): { question: SurveyQuestion; index: number } | null {
  const index = survey.questions.findIndex((q) => stepOf(q) === step);
  const question = survey.questions[index];
  return question ? { question, index } : null;
}
