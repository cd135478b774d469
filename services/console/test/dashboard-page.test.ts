import { parseKaikuConfig } from '@kaiku/config';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardData, dashboardPage } from '../src/dashboard/dashboard.page.ts';
import { pickUiLanguage } from '../src/dashboard/i18n.ts';
import { loginPage } from '../src/dashboard/login.page.ts';
import { commentsReport } from '../src/reports/comments.report.ts';
import { funnelReport } from '../src/reports/funnel.report.ts';
import { npsReport } from '../src/reports/nps.report.ts';
import { reportQuerySchema } from '../src/reports/report-query.ts';
import { targetsReport } from '../src/reports/targets.report.ts';

const kaiku = parseKaikuConfig({ units: [{ id: '1.2.246.10.99.10.1', name: { fi: 'Yksikkö 1' }, service: 'health-station' }] });

/** The page itself, from reports of an empty database with the rows under test put in. */
describe('dashboard page', () => {
  let env: TestEnv;
  let pool: Pool;
  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
  });
  afterAll(async () => {
    await pool?.end();
    await env?.cleanup();
  });

  async function pageData(lang: DashboardData['lang']): Promise<DashboardData> {
    const q = reportQuerySchema.parse({ from: '2025-01-01', to: '2025-12-31' });
    return {
      lang,
      query: { from: q.from, to: q.to, unit: '', service: '' },
      figures: { from: q.from, to: q.to, unit: '', service: '' },
      kaiku,
      total: await npsReport(pool, q, 5),
      byMonth: await npsReport(pool, { ...q, groupBy: ['month'] }, 5),
      byUnit: await npsReport(pool, { ...q, groupBy: ['unit'] }, 5),
      funnel: await funnelReport(pool, q, 5),
      byAgeBand: await funnelReport(pool, { ...q, groupBy: ['ageBand'] }, 5),
      byLanguage: await funnelReport(pool, { ...q, groupBy: ['language'] }, 5),
      targets: await targetsReport(pool, q, kaiku),
      comments: await commentsReport(pool, { ...q, limit: 10, offset: 0 }, 5),
    };
  }

  it('names each download for what it holds, and announces the chart only once a script has drawn it (an accessibility probe)', async () => {
    const html = dashboardPage(await pageData('en'));
    expect(html).toMatch(/<a href="\/csv\/nps\?[^"]*" download>NPS by unit and month <span class="file">\(nps\.csv\)<\/span><\/a>/);
    expect(html).toContain('>Every answer on its own row <span class="file">(responses.csv)</span>');
    // without JavaScript, or with no months, the empty box is not an image of a chart
    expect(html).toMatch(/<div id="trend-chart" class="chart" data-label="[^"]+"><\/div>/);
    expect(html).not.toMatch(/id="trend-chart"[^>]*role="img"/);
  });

  it('says that comments of units with fewer than minN answers a month are held back, only when some are', async () => {
    const data = await pageData('en');
    const note = 'Feedback is shown only from units with at least 5 answers in the month';
    expect(dashboardPage({ ...data, comments: { ...data.comments, comments: [], withheldUnitMonths: 1 } })).toContain(note);
    expect(dashboardPage({ ...data, comments: { ...data.comments, comments: [], withheldUnitMonths: 0 } })).not.toContain(note);
  });

  it("says why a response-rate row is not shown: its own small group, or protecting another (as the API's suppression says)", async () => {
    const data = await pageData('en');
    const rows = [
      { key: { ageBand: '18-24' }, delivered: 3, suppressed: true, suppression: 'small-group' },
      { key: { ageBand: '35-44' }, delivered: 5, suppressed: true, suppression: 'complementary' },
    ];
    const html = dashboardPage({ ...data, byAgeBand: { ...data.byAgeBand, rows } as DashboardData['byAgeBand'] });
    const cell = (band: string) => html.match(new RegExp(`data-figure="rate-ageBand:${band}"[^>]*>([^<]*)<`))?.[1];
    expect(cell('18-24')).toBe('not shown (under 5)');
    // A group this large hidden says what for (a dashboard probe: 'protection' explained nothing).
    expect(cell('35-44')).toBe('not shown (protects a small group)');
  });

  it('cuts a unit name too long for the chart with an ellipsis and gives it whole as a tooltip (a second county’s probe)', async () => {
    const data = await pageData('sv');
    const long = 'Korsholms mödra- och barnrådgivning';
    const unit = { id: '1.2.246.10.99.10.7', name: { fi: 'Mustasaaren neuvola', sv: long }, service: 'maternity-clinic' as const };
    const row = { key: { unit: unit.id }, n: 20, promoters: 12, passives: 5, detractors: 3, nps: 45, ci95: [20, 70], suppressed: false };
    const html = dashboardPage({
      ...data,
      kaiku: { ...kaiku, units: [...kaiku.units, { ...unit, sensitive: false, sampling: 1 }] },
      byUnit: { ...data.byUnit, rows: [row] } as DashboardData['byUnit'],
    });
    const label = html.match(/<svg class="forest"[\s\S]*?<text x="250"[^>]*>([\s\S]*?)<\/text>/)?.[1];
    expect(label).toBe(`<title>${long}</title>Korsholms mödra- och…`);
  });

  it('names age bands and languages in the page language, not as codes (a probe: "unknown", "sv" on the Finnish page)', async () => {
    const data = await pageData('fi');
    const row = (key: Record<string, string>) => ({ key, delivered: 9, sent: 9, answered: 3, responseRate: 0.333, suppressed: false });
    const html = dashboardPage({
      ...data,
      byAgeBand: { ...data.byAgeBand, rows: [row({ ageBand: 'unknown' }), row({ ageBand: '25-34' })] } as DashboardData['byAgeBand'],
      byLanguage: { ...data.byLanguage, rows: [row({ language: 'sv' })] } as DashboardData['byLanguage'],
    });
    const name = (figure: string) => html.match(new RegExp(`<th scope="row">([^<]*)</th><td>[^<]*</td><td data-figure="${figure}"`))?.[1];
    expect([name('rate-ageBand:unknown'), name('rate-ageBand:25-34'), name('rate-language:sv')]).toEqual([
      'ei tiedossa',
      '25-34',
      'ruotsi',
    ]);
  });

  it('names skip reasons in the page language, and no column header repeats another (a probe: "Ohitettu: consent-refused")', async () => {
    const data = await pageData('fi');
    const funnel = { ...data.funnel, received: 10, skipped: { 'consent-refused': 2, 'same-day-visit': 1 } };
    const html = dashboardPage({ ...data, funnel });
    const label = (reason: string) => html.match(new RegExp(`<th scope="row">([^<]*)</th><td data-figure="funnel:skipped:${reason}"`))?.[1];
    expect(label('consent-refused')).toBe('Ohitettu: tekstiviestit kielletty');
    expect(label('same-day-visit')).toBe('Ohitettu: saman päivän toinen käynti');
    for (const head of html.match(/<thead>.*?<\/thead>/gs) ?? []) {
      const names = [...head.matchAll(/<th scope="col">(?:<span class="visually-hidden">)?([^<]*)</g)].map((m) => m[1]);
      expect(new Set(names).size, head).toBe(names.length);
    }
  });

  it('is there in Swedish too, with links to the other two languages (a dashboard probe: lang=sv answered in Finnish)', async () => {
    const data = await pageData('sv');
    const funnel = { ...data.funnel, received: 1234, skipped: { 'under-age': 2 } };
    const html = dashboardPage({ ...data, funnel });
    expect(html).toMatch(/<html lang="sv"/);
    expect(html).toContain('<h1>Patientrespons</h1>');
    expect(html).toContain('Överhoppade: minderårig');
    expect(html).toMatch(
      /<a href="\/\?from=2025-01-01&amp;to=2025-12-31&amp;lang=fi" lang="fi">Suomeksi<\/a> <a href="[^"]*lang=en" lang="en">In English<\/a>/,
    );
    expect(html).toContain('1\u00a0234'); // Finland-Swedish digit grouping
    expect(pickUiLanguage({}, 'sv-FI,sv;q=0.9')).toBe('sv');
    expect(pickUiLanguage({ lang: 'sv' }, 'en')).toBe('sv');
  });

  it('says a period has no answers, not that its group is too small, and keeps Back from showing other filters than the figures', async () => {
    const html = dashboardPage(await pageData('en'));
    expect(html).toMatch(/data-figure="nps"[^>]*>no answers</);
    expect(html).toMatch(/<form method="get" action="\/" class="filters"[^>]*autocomplete="off"/);
  });

  it('keeps the page asked for when the login page changes language (a dashboard probe: the bookmark was lost)', () => {
    const html = loginPage('fi', false, '/?from=2026-03-01&to=2026-03-31&service=dental');
    expect(html).toContain(
      `href="/login?lang=en&amp;next=${encodeURIComponent('/?from=2026-03-01&to=2026-03-31&service=dental&lang=en')}"`,
    );
    expect(html).toContain('lang="sv">På svenska</a>');
    // …in the language chosen there (a regression probe: Finnish chosen, Swedish shown after login).
    const sv = loginPage('sv', false, '/?lang=sv&from=2026-01-01');
    expect(sv).toContain(`href="/login?lang=fi&amp;next=${encodeURIComponent('/?lang=fi&from=2026-01-01')}"`);
  });

  it('shows a month with no answers as such, and as a gap in the line (a dashboard probe: March joined to May)', async () => {
    const data = await pageData('en');
    const row = (month: string) => ({
      key: { month },
      n: 6,
      promoters: 3,
      passives: 3,
      detractors: 0,
      nps: 50,
      ci95: [10, 90],
      suppressed: false,
    });
    const byMonth = { ...data.byMonth, rows: [row('2025-03'), row('2025-05')] } as DashboardData['byMonth'];
    const html = dashboardPage({ ...data, byMonth });
    expect(html).toMatch(/<th scope="row">2025-04<\/th><td>0<\/td><td data-figure="month-nps:2025-04" data-value="">no answers</);
    const json = html.match(/<script type="application\/json" id="trend-data">([^<]*)</)?.[1] ?? '{}';
    const points = JSON.parse(json).points as Array<{ month: string; nps: number | null }>;
    expect(points.map((p) => p.month)).toEqual(['2025-03', '2025-04', '2025-05']);
    expect(points.find((p) => p.month === '2025-04')?.nps).toBeNull();
    expect(points.find((p) => p.month === '2025-05')?.nps).toBe(50);
    // A period of decades: from the first month with answers to the last (a regression probe: ten
    // years from the start were listed, and the answered months after them left out).
    const long = { ...data.byMonth, rows: [row('2011-06'), row('2026-11')] } as DashboardData['byMonth'];
    const wide = dashboardPage({ ...data, figures: { ...data.figures, from: '2000-01-01', to: '2026-11-30' }, byMonth: long });
    const months = JSON.parse(wide.match(/id="trend-data">([^<]*)</)?.[1] ?? '{}').points.map((p: { month: string }) => p.month);
    expect([months[0], months.at(-1), months.length]).toEqual(['2011-06', '2026-11', 186]);
  });
});
