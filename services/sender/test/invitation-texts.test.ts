import { renderText, smsSegments } from '@kaiku/core';
import { describe, expect, it } from 'vitest';
import { createInvitationTexts } from '../src/invitation-texts.ts';
import { SENSITIVE_UNIT, testKaiku, UNIT } from './harness.ts';

describe('invitation texts rendered once from the configuration', () => {
  const units = testKaiku().units;
  const texts = createInvitationTexts(units);

  it('are the texts renderText gives, per language and unit; a sensitive or unknown unit is never named', () => {
    const unit = units.find((u) => u.id === UNIT);
    expect(texts.of('sv', UNIT).body).toBe(renderText('sv', 'invitation', { unitNames: unit?.name, sensitive: false }));
    expect(texts.of('sv', UNIT).body).toContain('Kyyjärvi hälsostation');
    expect(texts.of('fi', SENSITIVE_UNIT).body).not.toMatch(/Mielenterveys/i);
    expect(texts.of('en', '1.2.3.no-such-unit').body).toBe(renderText('en', 'invitation', { sensitive: true }));
    expect(texts.of('de', UNIT).body).toBe(texts.of('fi', UNIT).body); // another language: Finnish
  });

  it('takes the budget for the longest of them', () => {
    const all = ['fi', 'sv', 'en'].flatMap((l) => [...units.map((u) => texts.of(l, u.id)), texts.of(l, 'unknown')]);
    expect(texts.maxSegments).toBe(Math.max(...all.map((t) => smsSegments(t.body))));
    for (const t of all) expect(t.segments).toBe(smsSegments(t.body));
  });
});
