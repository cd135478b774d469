import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseKaikuConfig } from '@kaiku/config';
import { buildConsoleApp } from '@kaiku/console';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SeedVisit, seedVisits } from '../services/console/test/seed.ts';

// The README's picture is refreshed only when asked (KAIKU_UPDATE_SCREENSHOT=1): a test run leaves
// the work tree as it found it.
const SCREENSHOT =
  process.env.KAIKU_UPDATE_SCREENSHOT === '1'
    ? fileURLToPath(new URL('../docs/dashboard.png', import.meta.url))
    : join(tmpdir(), `kaiku-dashboard-${process.pid}.png`);
const TOKEN = 'dashboard-e2e-token';
const UNITS = [
  ['1.2.246.10.2085212.10.1314', 'Kyyjärven terveysasema', 'Kyyjärvi health station', 'health-station', 0.78],
  ['1.2.246.10.2085212.10.1320', 'Karstulan terveysasema', 'Karstula health station', 'health-station', 0.62],
  ['1.2.246.10.2085212.10.1330', 'Kivijärven hammashoitola', 'Kivijärvi dental clinic', 'dental', 0.7],
  ['1.2.246.10.1234567.10.21', 'Järvikylän terveysasema', 'Järvikylä health station', 'health-station', 0.55],
  ['1.2.246.10.1234567.10.22', 'Järvikylän neuvola', 'Järvikylä child health clinic', 'maternity-clinic', 0.85],
  ['1.2.246.10.1234567.10.25', 'Mäntyharjun hammashoitola', 'Mäntyharju dental clinic', 'dental', 0.66],
  ['1.2.246.10.1234567.10.26', 'Koivulan terveysasema', 'Koivula health station', 'health-station', 0.4],
] as const;
const kaiku = parseKaikuConfig({
  units: UNITS.map(([id, fi, en, service]) => ({ id, name: { fi, en }, service })),
  reporting: { minN: 5, targetNps: 60 },
});
const COMMENTS = [
  'Ystävällinen hoitaja ja nopea palvelu',
  'Jonotus kesti liian kauan',
  'Lääkäri kuunteli hyvin',
  'Hyvä palvelu, kiitos',
  'Ajanvaraus oli hankalaa',
];

/** A year of visits, deterministic: units with different NPS levels, age bands and languages. */
function yearOfVisits(): SeedVisit[] {
  let x = 42;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
  const visits: SeedVisit[] = [];
  for (let d = 0; d < 395; d++) {
    const day = new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10);
    for (let k = 0; k < 14; k++) {
      const [unit, , , service, promoterShare] = UNITS[Math.floor(rnd() * UNITS.length)] as (typeof UNITS)[number];
      const age = ['18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75+'][Math.floor(rnd() * 7)] as string;
      const language = rnd() < 0.86 ? 'fi' : rnd() < 0.6 ? 'sv' : 'en';
      const base = { unit, service, day, ageBand: age, language, source: rnd() < 0.7 ? 'lifecare' : 'pegasos' };
      const r = rnd();
      if (r < 0.08) visits.push({ ...base, outcome: 'skipped', skipReason: rnd() < 0.6 ? 'no-mobile' : 'recently-surveyed' });
      else if (r < 0.1) visits.push({ ...base, outcome: 'cancelled' });
      else if (r < 0.14) visits.push({ ...base, outcome: 'sent' });
      else {
        const answerChance = age === '75+' ? 0.18 : age === '18-24' ? 0.22 : 0.3;
        if (rnd() > answerChance) visits.push({ ...base, outcome: 'delivered' });
        else {
          const s = rnd();
          const score =
            s < promoterShare ? 9 + Math.round(rnd()) : s < promoterShare + 0.15 ? 7 + Math.round(rnd()) : Math.floor(rnd() * 7);
          visits.push({
            ...base,
            outcome: 'answered',
            score,
            comment: rnd() < 0.45 ? (COMMENTS[Math.floor(rnd() * COMMENTS.length)] as string) : null,
          });
        }
      }
    }
  }
  return visits;
}

describe('dashboard in a real browser', () => {
  let env: TestEnv;
  let pool: Pool;
  let app: FastifyInstance;
  let url: string;
  let browser: Browser;
  // biome-ignore lint/suspicious/noExplicitAny: the API's JSON, compared field by field with the page
  const api = async (path: string): Promise<any> =>
    (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    await seedVisits(pool, yearOfVisits());
    app = buildConsoleApp({ pool, kaiku, logger: pino({ level: 'silent' }), token: TOKEN });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    if (process.env.KAIKU_UPDATE_SCREENSHOT !== '1') rmSync(SCREENSHOT, { force: true });
    await browser?.close();
    await app?.close();
    await pool?.end();
    await env?.cleanup();
  });

  it('asks for the token, then shows the same figures as the API, drawn from the server only', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fi-FI' });
    const page = await context.newPage();
    // Nothing the browser complains about but the wrong token's 401 (a probe: the favicon's 404; a
    // CSP refusal would be one too).
    const complaints: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') complaints.push(m.text());
    });
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(url)) foreign.push(r.url());
    });

    await page.goto(`${url}/?from=2025-01-01&to=2025-12-31`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.fill('#token', 'wrong');
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).toMatch(/Tunnus ei kelpaa/);
    await page.fill('#token', TOKEN);
    await page.click('button[type=submit]');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'kaiku_console')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.some((c) => c.value.includes(TOKEN))).toBe(false);

    await page.goto(`${url}/?from=2025-01-01&to=2025-12-31`);
    const figure = async (id: string) => page.getAttribute(`[data-figure="${id}"]`, 'data-value');
    const nps = await api('/v1/reports/nps?from=2025-01-01&to=2025-12-31');
    const funnel = await api('/v1/reports/funnel?from=2025-01-01&to=2025-12-31');
    const targets = await api('/v1/reports/targets?from=2025-01-01&to=2025-12-31');
    expect(nps.total.n).toBeGreaterThan(500);
    expect(await figure('nps')).toBe(String(nps.total.nps));
    expect(await figure('answers')).toBe(String(nps.total.n));
    expect(await figure('response-rate')).toBe(String(funnel.responseRate));
    expect(await figure('comment-share')).toBe(String(nps.total.commentShare));
    expect(await figure('target-share')).toBe(String(targets.targetShare));
    expect(await figure('coverage')).toBe(String(targets.coverage));
    for (const stage of ['received', 'eligible', 'cancelled', 'sent', 'delivered', 'answered', 'commented']) {
      expect(await figure(`funnel:${stage}`)).toBe(String(funnel[stage]));
    }
    const months = await api('/v1/reports/nps?from=2025-01-01&to=2025-12-31&groupBy=month');
    expect(months.rows).toHaveLength(12);
    for (const row of months.rows) expect(await figure(`month-nps:${row.key.month}`)).toBe(String(row.nps));
    const units = await api('/v1/reports/nps?from=2025-01-01&to=2025-12-31&groupBy=unit');
    for (const row of units.rows) expect(await figure(`unit-nps:${row.key.unit}`)).toBe(row.suppressed ? null : String(row.nps));
    const byAge = await api('/v1/reports/funnel?from=2025-01-01&to=2025-12-31&groupBy=ageBand');
    for (const row of byAge.rows) expect(await figure(`rate-ageBand:${row.key.ageBand}`)).toBe(String(row.responseRate ?? ''));

    // uPlot drew the trend from /assets, and nothing came from anywhere else.
    await page.waitForSelector('#trend-chart[data-drawn="true"] canvas');
    expect(await page.getAttribute('#trend-chart', 'role')).toBe('img');
    expect(await page.getAttribute('#trend-chart', 'aria-label')).toMatch(/^Viivakaavio/);
    // Its legend names the month in the page's language (it read "Value 2": an index, in English).
    await page.hover('#trend-chart .u-over', { position: { x: 30, y: 100 } });
    const legend = await page.textContent('#trend-chart .u-legend');
    expect(legend).toMatch(/Kuukausi\s*2025-\d\d/);
    expect(legend).not.toMatch(/Value/);
    expect(foreign).toEqual([]);
    expect(complaints).toEqual([expect.stringMatching(/status of 401/)]);
    expect(await page.locator('.comments li').count()).toBeGreaterThan(0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // English UI with the same figures.
    await page.click('a[lang="en"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('h1')).toBe('Patient feedback');
    expect(await figure('nps')).toBe(String(nps.total.nps));
    await context.close();
  });

  it('is readable without JavaScript and has what assistive technology needs', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: 'fi-FI' });
    const page = await context.newPage();
    await page.goto(`${url}/login`);
    await page.fill('#token', TOKEN);
    await page.click('button[type=submit]');
    await page.goto(`${url}/?from=2025-01-01&to=2025-12-31`);
    const months = await api('/v1/reports/nps?from=2025-01-01&to=2025-12-31&groupBy=month');
    const firstMonth = months.rows[0];
    const cell = page.locator(`[data-figure="month-nps:${firstMonth.key.month}"]`);
    expect(await cell.textContent()).toBe(String(firstMonth.nps));
    expect(await page.locator('#trend-chart canvas').count()).toBe(0);
    expect(await page.getAttribute('html', 'lang')).toBe('fi');
    // Every table has a caption and column headers; every form field has a label.
    const audit = await page.evaluate(`(() => {
      const tables = [...document.querySelectorAll('table')];
      const fields = [...document.querySelectorAll('input:not([type=hidden]), select')];
      return {
        tables: tables.length,
        uncaptioned: tables.filter((t) => !t.querySelector('caption')).length,
        headless: tables.filter((t) => !t.querySelector('th[scope=col]')).length,
        unlabelled: fields.filter((f) => !document.querySelector('label[for="' + f.id + '"]')).length,
        unnamedImages: [...document.querySelectorAll('[role=img]')].filter((e) => !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')).length,
        h1: document.querySelectorAll('h1').length,
        skipLink: document.querySelector('a.skip')?.getAttribute('href'),
      };
    })()`);
    expect(audit).toMatchObject({ uncaptioned: 0, headless: 0, unlabelled: 0, unnamedImages: 0, h1: 1, skipLink: '#main' });
    await context.close();
  });

  it('fits a 320 px screen, shows focus on every background and says what it refuses in its own language (a console probe)', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 800 }, locale: 'fi-FI' });
    const page = await context.newPage();
    await page.goto(`${url}/login`);
    await page.fill('#token', TOKEN);
    await page.click('button[type=submit]');
    await page.goto(`${url}/?from=2025-01-01&to=2025-12-31`);
    // WCAG 1.4.10: the page never scrolls sideways at 320 CSS px; a wide data table scrolls in its own box.
    const overflowing = await page.evaluate(`(() => [...document.querySelectorAll('main *')]
      .filter((e) => !e.closest('.table-scroll') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((e) => e.tagName + (e.id ? '#' + e.id : '')))()`);
    expect(overflowing).toEqual([]);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
    expect(
      await page.evaluate(
        `[...document.querySelectorAll('table:has(caption)')].every((t) => t.parentElement.matches('.table-scroll[tabindex="0"][role="region"]') && t.parentElement.getAttribute('aria-label') === t.caption.textContent)`,
      ),
    ).toBe(true);
    // The focus ring: a dark ring and a yellow one, so one of them stands out on white and on blue.
    await page.focus('#f-unit');
    const ring = await page.evaluate(
      `(() => { const s = getComputedStyle(document.activeElement); return [s.outlineColor, s.boxShadow]; })()`,
    );
    expect(ring).toEqual(['rgb(26, 26, 26)', expect.stringContaining('rgb(255, 191, 71)')]);
    // A comment carries the language it was written in; services are named, not coded.
    const langs = await page.$$eval('.comments blockquote', (qs) => qs.map((q) => q.getAttribute('lang')));
    expect(langs.length).toBeGreaterThan(0);
    for (const lang of langs) expect(['fi', 'sv', 'en']).toContain(lang);
    expect(await page.textContent('#f-service option[value="maternity-clinic"]')).toBe('äitiys- ja lastenneuvola');
    // A period that runs backwards: said in Finnish, the fields keep what was typed and say they are wrong.
    await page.goto(`${url}/?from=2025-12-31&to=2025-01-01`);
    expect(await page.textContent('#filters-error')).toMatch(/päättymispäivä on ennen alkamispäivää/);
    expect(await page.inputValue('#f-from')).toBe('2025-12-31');
    expect(await page.getAttribute('#f-to', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('#f-to', 'aria-describedby')).toBe('filters-error');
    // The downloads are for the figures shown (the default period), not for the refused one.
    const nps = await page.getAttribute('.downloads a[href^="/csv/nps"]', 'href');
    expect(nps).not.toContain('from=2025-12-31');
    const download = await page.request.get(`${url}${nps}`);
    expect(download.status()).toBe(200);
    await context.close();
  });

  it('serves CSV downloads to a signed-in browser and nothing to anyone else', async () => {
    const anonymous = await fetch(`${url}/csv/nps?from=2025-01-01&to=2025-12-31`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect((await fetch(`${url}/`, { redirect: 'manual' })).headers.get('location')).toMatch(/^\/login/);
    const login = await fetch(`${url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${TOKEN}`,
      redirect: 'manual',
    });
    const cookie = String(login.headers.get('set-cookie')).split(';')[0] as string;
    // Signing in goes back to the page asked for (a bookmark kept its filters), and only to one of the dashboard's own.
    const asked = '/?lang=en&from=2025-03-01&to=2025-03-31';
    const toLogin = String((await fetch(`${url}${asked}`, { redirect: 'manual' })).headers.get('location'));
    expect(toLogin).toBe(`/login?lang=en&next=${encodeURIComponent(asked)}`);
    const back = async (next: string) =>
      (
        await fetch(`${url}/login?lang=en&next=${encodeURIComponent(next)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `token=${TOKEN}`,
          redirect: 'manual',
        })
      ).headers.get('location');
    expect(await back(asked)).toBe(asked);
    expect(await back('//evil.example/')).toBe('/?lang=en');
    expect(await back('https://evil.example/')).toBe('/?lang=en');
    // a crafted one with a control character (its header would be invalid: a 500) goes to the default page
    expect(await back('/?a\r\nX: y')).toBe('/?lang=en');
    // A download for a unit no visit came from is refused, as the page and the API refuse it.
    const typo = await fetch(`${url}/csv/nps?from=2025-01-01&to=2025-12-31&unit=typo`, { headers: { cookie } });
    expect([typo.status, typo.headers.get('content-type')]).toEqual([400, expect.stringMatching(/problem\+json/)]);
    // A link cut short, without its period, downloads the page's default period (an accessibility probe: a 400)
    const noPeriod = await fetch(`${url}/csv/funnel?lang=fi`, { headers: { cookie } });
    expect([noPeriod.status, noPeriod.headers.get('content-type')]).toEqual([200, expect.stringMatching(/^text\/csv/)]);
    const csv = await fetch(`${url}/csv/responses?from=2025-01-01&to=2025-12-31`, { headers: { cookie } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const nps = await api('/v1/reports/nps?from=2025-01-01&to=2025-12-31');
    const bytes = Buffer.from(await csv.arrayBuffer());
    // A byte order mark, so that Excel reads ä, ö and å right; the API's export has none.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8').slice(1).trim().split('\r\n')).toHaveLength(1 + nps.total.n);
    const fromApi = await fetch(`${url}/v1/exports/responses.csv?from=2025-01-01&to=2025-12-31`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect((await fromApi.text()).startsWith('unit_id,')).toBe(true);
    // For Excel set to Finnish or Swedish (a dashboard probe: a comma file landed in one column):
    // `;` and decimal commas; English keeps commas.
    expect(bytes.toString('utf8').slice(1).startsWith('unit_id;service;visit_month;')).toBe(true);
    const fi = await (await fetch(`${url}/csv/targets?from=2025-01-01&to=2025-12-31&lang=fi`, { headers: { cookie } })).text();
    const en = await (await fetch(`${url}/csv/targets?from=2025-01-01&to=2025-12-31&lang=en`, { headers: { cookie } })).text();
    expect(fi.split('\r\n')[0]).toBe(en.split('\r\n')[0]?.replaceAll(',', ';'));
    expect(en.split('\r\n')[1]).toMatch(/\d\.\d/);
    expect(fi.split('\r\n')[1]).toBe(
      en
        .split('\r\n')[1]
        ?.replaceAll(',', ';')
        .replace(/(\d)\.(\d)/g, '$1,$2'),
    );
    // A period that is not valid is said on the page, not swapped silently for the default one.
    const bad = await fetch(`${url}/?from=2025-12-31&to=2025-01-01&lang=en`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    const page = await bad.text();
    expect(page).toMatch(
      /<p class="error" id="filters-error" role="alert">These filters are not valid \(from 2025-12-31, to 2025-01-01: [^<]+\)/,
    );
    expect((await fetch(`${url}/?from=2025-01-01&to=2025-12-31&lang=en`, { headers: { cookie } })).status).toBe(200);
    // A unit the form has not, a list, or a parameter the page has no filter for (a link's `units=`):
    // said on the page, never the county's figures under a filter's name (a dashboard probe).
    for (const [query, said] of [
      ['unit=1.2.3', /Unit: not one of the choices/],
      ['service=dental,other', /Service: not one of the choices/],
      ['units=1.2.246.10.2085212.10.1314', /units: this page has no such filter/],
      ['language=sv', /language: this page has no such filter/],
      // a parameter given twice is a list too (a regression probe: a 500)
      ['unit=1.2.246.10.2085212.10.1314&unit=1.2.246.10.2085212.10.1314', /Unit: not one of the choices/],
    ] as const) {
      const refused = await fetch(`${url}/?from=2025-01-01&to=2025-12-31&lang=en&${query}`, { headers: { cookie } });
      expect([refused.status, await refused.text()], query).toEqual([400, expect.stringMatching(said)]);
    }
    // The cookie is for the dashboard only: the API stays bearer.
    expect((await fetch(`${url}/v1/reports/nps?from=2025-01-01&to=2025-12-31`, { headers: { cookie } })).status).toBe(401);

    // Logging out ends the session on the server too: the old cookie opens nothing any more.
    const out = await fetch(`${url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect((await fetch(`${url}/`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
    expect((await fetch(`${url}/csv/responses?from=2025-01-01&to=2025-12-31`, { headers: { cookie }, redirect: 'manual' })).status).toBe(
      303,
    );
  });
});
