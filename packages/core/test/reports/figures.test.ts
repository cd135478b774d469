import { describe, expect, it } from 'vitest';
import { csvField, csvLine, toCsv } from '../../src/reports/csv.ts';
import { shareOf } from '../../src/reports/figures.ts';
import { npsFigures } from '../../src/reports/nps.ts';

describe('report figures', () => {
  it('reproduces Keusote 2024: 71 % promoters, 14 % passives, 15 % detractors is NPS 56', () => {
    const counts = { promoters: 710, passives: 140, detractors: 150 };
    expect(npsFigures(counts)?.nps).toBe(56);
    expect([shareOf(710, 1000), shareOf(140, 1000), shareOf(150, 1000)]).toEqual([0.71, 0.14, 0.15]);
  });

  it('reproduces the Länsi-Uusimaa pilot response rate: 3,060 answers to 12,000 texts is 25.5 %', () => {
    expect(shareOf(3060, 12_000)).toBe(0.255);
  });

  it('rounds an exact half away from zero, worked out without floating point error', () => {
    // 8 promoters and 5 detractors of 24 is 12.5 exactly (12.4999… in floating point); 57.5 with 40 answers.
    expect(npsFigures({ promoters: 8, passives: 11, detractors: 5 })?.nps).toBe(13);
    expect(npsFigures({ promoters: 5, passives: 11, detractors: 8 })?.nps).toBe(-13);
    expect(npsFigures({ promoters: 25, passives: 13, detractors: 2 })?.nps).toBe(58);
    expect(npsFigures({ promoters: 1, passives: 1, detractors: 1 })?.nps).toBe(0);
    expect(shareOf(1, 8)).toBe(0.125);
    expect(shareOf(509, 2000)).toBe(0.255);
  });

  it('has no share of nothing', () => {
    expect(shareOf(0, 0)).toBeNull();
  });

  it('narrows the 95 % interval as answers grow and keeps it within −100…100', () => {
    const small = npsFigures({ promoters: 7, passives: 2, detractors: 1 });
    const large = npsFigures({ promoters: 700, passives: 200, detractors: 100 });
    expect(small?.nps).toBe(60);
    expect(large?.nps).toBe(60);
    const width = (f: typeof small) => (f ? f.ci95[1] - f.ci95[0] : 0);
    expect(width(small)).toBeGreaterThan(width(large));
    // all in one band: no "100 ± 0" from a few answers (an acceptance run read [100, 100] from two)
    expect(npsFigures({ promoters: 2, passives: 0, detractors: 0 })).toMatchObject({ nps: 100, ci95: [-30, 100] });
    expect(npsFigures({ promoters: 0, passives: 2, detractors: 0 })).toMatchObject({ nps: 0, ci95: [-55, 55] });
    expect(npsFigures({ promoters: 500, passives: 0, detractors: 0 })?.ci95[0]).toBeGreaterThan(98);
    // answers in two bands or more: the normal approximation as it was
    expect(npsFigures({ promoters: 80, passives: 25, detractors: 15 })).toMatchObject({ nps: 54, ci95: [42, 67] });
  });
});

describe('CSV', () => {
  it('quotes separators, quotes and line breaks (RFC 4180)', () => {
    expect(toCsv(['a', 'b'], [['x, y', 'say "hi"\nbye']])).toBe('a,b\r\n"x, y","say ""hi""\nbye"\r\n');
  });

  it('never lets an open-text answer start a spreadsheet formula', () => {
    expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvField('+358 hyvä')).toBe("'+358 hyvä");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-5)).toBe('-5');
  });

  it('keeps a formula after a semicolon or a line break in a text, for Excel set to Finnish or Swedish (which splits at ;)', () => {
    const line = csvLine(['1.2.246.10.1', "Jonotin pitkään;=cmd|' /C calc'!A0;", 'hyvä\n+358 hoitaja; \t@SUM(A1)']);
    expect(line).toBe(`1.2.246.10.1,"Jonotin pitkään;'=cmd|' /C calc'!A0;","hyvä\n'+358 hoitaja; \t'@SUM(A1)"\r\n`);
    // Read as such an Excel reads it (quotes matter only at a cell's start): no cell starts a formula.
    const cells = line.split(/[;\r\n]/).map((c) => c.trim());
    expect(cells.filter((c) => /^[=+\-@]/.test(c))).toEqual([]);
  });
});

describe('CSV for Excel set to Finnish or Swedish', () => {
  it('separates fields with ; and writes numbers with a decimal comma, text as it was (a dashboard probe)', () => {
    const semicolons = { semicolons: true };
    const csv = toCsv(
      ['unit', 'nps', 'share', 'comment'],
      [
        ['1.2.246.10.1', 54, 0.569, 'hyvä, nopea'],
        ['1.2.246.10.2', -12, -0.5, 'sanoi "kiitos"; 0.5'],
        ['x', null, 10.25, ''],
      ],
      semicolons,
    );
    // A comment that reads as a decimal stays as the patient wrote it (a regression probe: 3.5 became 3,5).
    expect(toCsv(['comment'], [['3.5']], semicolons)).toBe('comment\r\n3.5\r\n');
    expect(toCsv(['comment'], [['3.5']])).toBe('comment\r\n3.5\r\n');
    expect(csv).toBe(
      'unit;nps;share;comment\r\n1.2.246.10.1;54;0,569;"hyvä, nopea"\r\n1.2.246.10.2;-12;-0,5;"sanoi ""kiitos""; 0.5"\r\nx;;10,25;\r\n',
    );
  });
});
