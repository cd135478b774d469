// Simulated patients answering the survey text, as people write: a bare score or a score with a
// reason, number words, a reason as a second message, a language switch, an opt-out.
import type { Language, Random } from './visits.ts';

const SCORE_WORDS: Record<Language, string[]> = {
  fi: ['nolla', 'yksi', 'kaksi', 'kolme', 'neljä', 'viisi', 'kuusi', 'seitsemän', 'kahdeksan', 'yhdeksän', 'kymmenen'],
  sv: ['noll', 'ett', 'två', 'tre', 'fyra', 'fem', 'sex', 'sju', 'åtta', 'nio', 'tio'],
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'],
};

const REASONS: Record<Language, { good: string[]; bad: string[] }> = {
  fi: {
    good: [
      'Ystävällinen hoitaja ja pääsin nopeasti sisään',
      'Lääkäri kuunteli ja selitti hyvin',
      'Hyvä palvelu, kiitos',
      'Kaikki sujui hienosti',
    ],
    bad: ['Jouduin odottamaan yli tunnin', 'Kukaan ei kertonut mitä seuraavaksi tapahtuu', 'Ajanvaraus oli hankala'],
  },
  sv: {
    good: ['Trevlig personal och kort väntetid', 'Läkaren lyssnade och förklarade bra', 'Mycket bra bemötande'],
    bad: ['Lång väntetid', 'Svårt att få tid'],
  },
  en: {
    good: ['Friendly staff and quick service', 'The nurse explained everything clearly', 'Very good care'],
    bad: ['Waited far too long', 'Nobody told me what happens next'],
  },
};

/** A score from a realistic mix for Finnish primary care: about 70 % promoters, 20 % passives, 10 % detractors. */
function drawScore(random: Random): number {
  const r = random.next();
  if (r < 0.45) return 10;
  if (r < 0.7) return 9;
  if (r < 0.82) return 8;
  if (r < 0.9) return 7;
  return random.int(2, 6);
}

export type Behaviour = 'answers' | 'switches-language' | 'opts-out';

/** The messages one patient sends, in order (the language is the patient's own). */
export function answerScript(language: Language, random: Random, behaviour: Behaviour = 'answers'): string[] {
  if (behaviour === 'opts-out') return [random.pick(['LOPETA', 'lopeta', 'STOP'])];
  if (behaviour === 'switches-language') {
    // A Finnish text to someone who reads Swedish better: they ask for Swedish, then answer in it.
    return ['på svenska tack', 'nio', 'Personalen var mycket vänlig'];
  }
  const score = drawScore(random);
  const reasons = score >= 7 ? REASONS[language].good : REASONS[language].bad;
  const style = random.next();
  if (style < 0.35) return [String(score), random.pick(reasons)];
  if (style < 0.55) return [`${score} ${random.pick(reasons).toLowerCase()}`];
  if (style < 0.7) return [SCORE_WORDS[language][score] as string, random.pick(reasons)];
  if (style < 0.8) return [`${score}/10`];
  return [String(score)];
}
