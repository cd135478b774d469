import { advanceConversation, type ConversationState, currentQuestion, NPS_SURVEY, type SurveyDefinition } from '@kaiku/core';
import { describe, expect, it } from 'vitest';

const start: ConversationState = { step: 'awaiting-score', reasked: false, language: 'fi' };

describe('conversation steps (docs/conversation.md)', () => {
  it('a bare score asks why', () => {
    expect(advanceConversation(start, '9')).toEqual({
      kind: 'score',
      score: 9,
      reason: null,
      next: { ...start, step: 'awaiting-reason' },
      reply: 'askReason',
    });
  });

  it('a score with a reason completes the survey at once', () => {
    expect(advanceConversation(start, '8 hyvä palvelu')).toMatchObject({
      kind: 'score',
      score: 8,
      reason: 'hyvä palvelu',
      next: { step: 'completed' },
      reply: 'thanks',
    });
  });

  it('a score with only filler around it still asks why', () => {
    expect(advanceConversation(start, 'arvosana 9, kiitos')).toMatchObject({ kind: 'score', reason: null, reply: 'askReason' });
  });

  it('any text answers the reason question and thanks', () => {
    const state = { ...start, step: 'awaiting-reason' };
    expect(advanceConversation(state, 'Lääkäri kuunteli')).toEqual({
      kind: 'reason',
      reason: 'Lääkäri kuunteli',
      next: { ...state, step: 'completed' },
      reply: 'thanks',
    });
    // A number with words around it is the reason now, not a new score.
    expect(advanceConversation(state, '10 koska nopea')).toMatchObject({ kind: 'reason', reason: '10 koska nopea' });
  });

  // Filler says nothing more.
  it.each([
    ...['Kiitos', 'ok', '👍', '-', '.', 'Ei', 'ei mitään', 'nothing', 'Inget'],
    // nothing to add, said in words (a probe found 30 stored as comments)
    ...[
      'Ei muuta',
      'Ei kommentteja',
      'Ei oo mitään lisättävää',
      'No comment',
      'Nothing to add',
      'n/a',
      'Inga kommentarer',
      'Inget att tillägga',
    ],
  ])('"%s" to why? ends the survey with no reason, and thanks', (text) => {
    const state = { ...start, step: 'awaiting-reason' };
    expect(advanceConversation(state, text)).toEqual({
      kind: 'reason',
      reason: null,
      next: { ...state, step: 'completed' },
      reply: 'thanks',
    });
  });

  // A bare score gives the score anew (the same one sent again changes nothing where it is stored).
  it.each([
    ['10', 10],
    ['10!', 10],
    ['ysi kiitos', 9],
    ['nine', 9],
  ])('"%s" to why? is a score, not a reason: it replaces the stored one, and the survey ends', (text, score) => {
    const state = { ...start, step: 'awaiting-reason' };
    expect(advanceConversation(state, text)).toEqual({
      kind: 'rescore',
      score,
      reason: null,
      next: { ...state, step: 'completed' },
      reply: 'thanks',
    });
  });

  // A probe's patients: each correction was stored as the comment, and the first score counted.
  it.each([
    ['Ei kun 10', 10, null],
    ['Korjaus: 10', 10, null],
    ['Sori, piti olla 9', 9, null],
    ['Sorry, I meant 10', 10, null],
    ['Förlåt, jag menade 10', 10, null],
    ['oho, väärä numero. 10', 10, null],
    ['Oikeastaan 10, hyvä palvelu', 10, 'hyvä palvelu'],
    ['Actually 9, nice nurse', 9, 'nice nurse'],
    ['actually make that a 6', 6, null],
    ['changed my mind, 6', 6, null],
    ['on second thought 6', 6, null],
    ['change my answer to 6', 6, null],
    ['scratch that, 9', 9, null],
    ['sry 9', 9, null],
    ['i ment 9', 9, null],
  ])('"%s" once the score is stored corrects it (waiting for the reason, or after the thanks)', (text, score, reason) => {
    const waiting = { ...start, step: 'awaiting-reason' };
    expect(advanceConversation(waiting, text)).toEqual({
      kind: 'rescore',
      score,
      reason,
      next: { ...waiting, step: 'completed' },
      reply: 'thanks',
    });
    const done = { ...start, step: 'completed' };
    expect(advanceConversation(done, text)).toEqual({ kind: 'rescore', score, reason, next: null, reply: null });
  });

  // A take-back after a number is no correction to it ("10, scratch that").
  it.each(['10, scratch that', '9. Scratch that', '9, changed my mind'])('"%s" to "why?" replaces no score', (text) => {
    expect(advanceConversation({ ...start, step: 'awaiting-reason' }, text).kind).not.toBe('rescore');
  });

  // An English probe: a heart typed as "<3" after the score replaced a promoter's 10 with a 3.
  it.each(['<3', '<3 <3', 'kiitos <3', 'thank you <3', ':3'])('"%s" after the score changes no score', (text) => {
    expect(advanceConversation({ ...start, step: 'awaiting-reason' }, text).kind).toBe('reason');
    expect(advanceConversation({ ...start, step: 'completed' }, text).kind).not.toBe('rescore');
  });

  // A regression probe's reasons that my first reading took for corrections: a number that runs on
  // into words, an ordinal, a time, a rating of a person.
  it.each([
    'Ei kun 2 tuntia jonossa',
    'Anteeksi, odotin 45 min',
    'Actually the doctor was great',
    '10 koska nopea',
    'Ei kun 1 hoitaja oli töykeä',
    'Actually 2 things: the queue and the cold waiting room',
    'Egentligen 1 sak: toaletten var smutsig',
    'Sorry, 3 things bothered me',
    'Anteeksi, 1 asia: wc oli likainen',
    'Actually 7 in the morning is too early',
    'Sorry 4 delay',
    'Sorry, 9 o clock appointment started late',
    'Förlåt, 8 på morgonen är tidigt',
    'Ei kun 2 pistosta ja molemmat sattui',
    'Sorry 1 more: thanks!',
    'Actually 9 out of 10 times they are great',
    "Actually, I'd give the nurse a 10",
    'Ei kun hoitaja oli kymppi',
    'Ei kun lääkärille 10',
    'Förlåt, sköterskan var en tia',
    'Ei kun 10:30',
    'Ei kun 3. kerros',
    'Oikeastaan 2. käynti',
    // and ranges, second numbers, questions (the next regression probe)
    'Sori, 10 - 15 min myöhässä',
    'Ei kun 1 – 2 h',
    'Ei kun viis, tai kuus tuntia',
    'Oikeastaan 3, ehkä 4 tuntia jonossa',
    'Actually, two, me and my daughter',
    'Ei kun 7, siis lapsi on 7 vuotta',
    'Ei kun 10. Kymmenen minuuttia myöhässä',
    'Anteeksi, 0? En ymmärtänyt kysymystä',
    'Sorry, 3: parking, queue, cold',
    'Ei kun 3. Kolmas kerta kun käyn',
    'Oops 2. The doctor was late',
    'Actually ten, maybe eleven people waiting',
  ])('"%s" to why? is a reason, not a correction', (text) => {
    expect(advanceConversation({ ...start, step: 'awaiting-reason' }, text)).toMatchObject({ kind: 'reason', reason: text });
    expect(advanceConversation({ ...start, step: 'completed' }, text)).toMatchObject({ kind: 'append' });
  });

  it.each([
    'Ei ku 10',
    '10 tarkoitin',
    'Tarkoitus oli 10',
    'Oj, jag menade 10',
    'Det ska vara 10',
    'Change it to 10',
    '10, typo',
    'Oops 10 not 1',
  ])('"%s" corrects the score too', (text) => {
    expect(advanceConversation({ ...start, step: 'awaiting-reason' }, text)).toMatchObject({ kind: 'rescore', score: 10, reason: null });
  });

  it('words of correction before a score are no reason where the score is asked ("Sorry, I meant 10" after a slip)', () => {
    expect(advanceConversation({ ...start, reasked: true }, 'Sorry, I meant 10')).toMatchObject({
      kind: 'score',
      score: 10,
      reason: null,
      reply: 'askReason',
    });
  });

  it('a non-score is re-asked once, keeping what was said, then silence', () => {
    const first = advanceConversation(start, 'Hyvä palvelu');
    expect(first).toEqual({ kind: 'reask', why: 'no-score', note: 'Hyvä palvelu', next: { ...start, reasked: true }, reply: 'reask' });
    expect(advanceConversation({ ...start, reasked: true }, '4/5')).toEqual({
      kind: 'ignored',
      why: 'other-scale',
      note: '4/5',
      reply: null,
    });
    expect(advanceConversation({ ...start, reasked: true }, '9')).toMatchObject({ kind: 'score', score: 9 });
  });

  it('filler alone is re-asked but not kept', () => {
    expect(advanceConversation(start, 'Kiitos 😊')).toMatchObject({ kind: 'reask', note: null });
  });

  it('a message after completion is appended to the reason, without a reply', () => {
    expect(advanceConversation({ ...start, step: 'completed' }, 'Ja parkkipaikka oli täynnä')).toEqual({
      kind: 'append',
      text: 'Ja parkkipaikka oli täynnä',
      reply: null,
    }); // a courtesy to the thanks is not more feedback
    expect(advanceConversation({ ...start, step: 'completed' }, 'Kiitos! 😊')).toMatchObject({ kind: 'ignored', reply: null });
    // a bare number after the thanks changes nothing (an acceptance run saw a stray "0" turn a promoter
    // into a detractor, silently); a correction said in words does
    for (const bare of ['7', '0', 'kymppi']) {
      expect(advanceConversation({ ...start, step: 'completed' }, bare), bare).toEqual({
        kind: 'ignored',
        why: 'empty',
        note: null,
        reply: null,
      });
    }
    expect(advanceConversation({ ...start, step: 'completed' }, 'Sori, piti olla 7')).toMatchObject({ kind: 'rescore', score: 7 });
    // puzzlement at the text is no feedback: not appended, not kept as a note
    for (const puzzled of ['mitä?', 'en ymmärrä', 'kuka lähetti tämän', 'What is this?', 'vad är det här']) {
      expect(advanceConversation({ ...start, step: 'completed' }, puzzled), puzzled).toMatchObject({ kind: 'ignored' });
      expect(advanceConversation(start, puzzled), puzzled).toMatchObject({ kind: 'reask', note: null });
    }
    for (const courtesy of ['Kiitos samoin', 'Tack detsamma!', 'Thanks, you too', 'Hyvää joulua!']) {
      expect(advanceConversation({ ...start, step: 'completed' }, courtesy), courtesy).toMatchObject({ kind: 'ignored' });
    }
  });

  it.each([
    ['8 in english please, the nurse was lovely', 'en', 'the nurse was lovely'],
    ['8 bra service. På svenska tack', 'sv', 'bra service.'],
  ] as const)('"%s" is the score, a switch to %s and the reason: thanked in that language', (text, language, reason) => {
    expect(advanceConversation(start, text)).toEqual({
      kind: 'score',
      score: 8,
      reason,
      next: { ...start, step: 'completed', language },
      reply: 'thanks',
    });
  });

  it.each([
    ['8 på svenska tack', 'sv'],
    ['kasi. SV', 'sv'],
    ['9 in English please', 'en'],
  ] as const)('"%s" is the score and a switch to %s: asked why in that language, with no reason stored', (text, language) => {
    expect(advanceConversation(start, text)).toEqual({
      kind: 'score',
      score: text.startsWith('9') ? 9 : 8,
      reason: null,
      next: { ...start, step: 'awaiting-reason', language },
      reply: 'askReason',
    });
  });

  it.each([
    ['awaiting-score', 'invitation'],
    ['awaiting-reason', 'askReason'],
    ['completed', 'languageSwitched'],
  ])('a language switch at %s re-sends %s in the new language', (step, reply) => {
    expect(advanceConversation({ ...start, step }, 'på svenska tack')).toEqual({
      kind: 'switch-language',
      language: 'sv',
      next: { step, reasked: false, language: 'sv' },
      reply,
    });
  });

  it('asking again for the language already in use re-sends the question once, then nothing', () => {
    const inSwedish = { ...start, language: 'sv' as const };
    const first = advanceConversation(inSwedish, 'SV');
    expect(first).toEqual({ kind: 'switch-language', language: 'sv', next: { ...inSwedish, reasked: true }, reply: 'invitation' });
    expect(advanceConversation({ ...inSwedish, reasked: true }, 'svenska')).toMatchObject({ kind: 'switch-language', reply: null });
    // Another language is always a switch, with its question.
    expect(advanceConversation({ ...inSwedish, reasked: true }, 'EN')).toMatchObject({ language: 'en', reply: 'invitation' });
  });

  it('opt-out and opt-in work at any step', () => {
    for (const step of ['awaiting-score', 'awaiting-reason', 'completed']) {
      expect(advanceConversation({ ...start, step }, 'LOPETA')).toEqual({ kind: 'opt-out', reply: 'optedOut' });
      expect(advanceConversation({ ...start, step }, 'BÖRJA')).toEqual({ kind: 'opt-in', reply: 'optedIn' });
    }
  });

  it('the steps come from the survey definition: a new question is data', () => {
    const survey: SurveyDefinition = {
      questions: [...NPS_SURVEY.questions, { id: 'pulse', kind: 'free-text', prompt: 'askReason' }],
      thanks: 'thanks',
    };
    const afterReason = advanceConversation({ ...start, step: 'awaiting-reason' }, 'Hyvä', survey);
    expect(afterReason).toMatchObject({ kind: 'reason', next: { step: 'awaiting-pulse' }, reply: 'askReason' });
    const scoreAndReason = advanceConversation(start, '9 hyvä', survey);
    expect(scoreAndReason).toMatchObject({ kind: 'score', next: { step: 'awaiting-pulse' } });
    expect(currentQuestion('awaiting-pulse', survey)).toBe('askReason');
  });
});
