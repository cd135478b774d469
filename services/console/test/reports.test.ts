import { parseKaikuConfig } from '@kaiku/config';
import { createPool, type Pool } from '@kaiku/db';
import { createTestEnv, type TestEnv } from '@kaiku/testing';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleApp } from '../src/app.ts';
import { answers, type SeedVisit, seedVisits } from './seed.ts';

const unit = (n: number) => `1.2.246.10.99.10.${n}`;
const kaiku = parseKaikuConfig({
  units: [
    ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({
      id: unit(n),
      name: { fi: `Yksikkö ${n}` },
      service: n === 8 ? 'dental' : 'health-station',
    })),
    // Paused (a second county's probe: it kept coverage below 100 % for as long as it was paused).
    { id: unit(20), name: { fi: 'Tauolla' }, service: 'health-station', sampling: 0 },
  ],
  reporting: { minN: 5, targetNps: 60 },
});
const TOKEN = 'reports-test-token';
const day = (year: number, i: number) => new Date(Date.UTC(year, 0, 1 + (i % 365))).toISOString().slice(0, 10);

describe('reports API', () => {
  let env: TestEnv;
  let pool: Pool;
  let app: FastifyInstance;
  const get = async (url: string) => {
    const res = await app.inject({ url, headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.statusCode, type: String(res.headers['content-type']), body: res.body, json: () => res.json() };
  };

  beforeAll(async () => {
    env = await createTestEnv();
    pool = createPool(env.databaseUrl);
    app = buildConsoleApp({ pool, kaiku, logger: pino({ level: 'silent' }), token: TOKEN });
    // Keusote 2024: 1,000 answers, 71 % promoters, 14 % passives, 15 % detractors, over four units.
    await seedVisits(
      pool,
      answers({ promoters: 710, passives: 140, detractors: 150 }, (i) => ({ unit: unit(1 + (i % 4)), day: day(2024, i * 7) })),
    );
    // Länsi-Uusimaa SMS pilot (2022): 12,000 texts delivered, 3,060 answered; plus skips and cancellations.
    const pilot: SeedVisit[] = [];
    for (let i = 0; i < 12_000; i++) {
      const answered = i % 200 < 51; // 51 of every 200 = 25.5 %
      pilot.push({ unit: unit(1 + (i % 3)), day: day(2022, i), outcome: answered ? 'answered' : 'delivered', score: 6 + (i % 5) });
    }
    for (let i = 0; i < 300; i++) pilot.push({ unit: unit(1), day: day(2022, i), outcome: 'skipped', skipReason: 'under-age' });
    for (let i = 0; i < 200; i++) pilot.push({ unit: unit(2), day: day(2022, i), outcome: 'skipped', skipReason: 'no-mobile' });
    for (let i = 0; i < 50; i++) pilot.push({ unit: unit(3), day: day(2022, i), outcome: 'cancelled' });
    await seedVisits(pool, pilot);
    // 2021: units of 40, 3, 12 and 25 answers in March.
    const sizes: Array<[number, number]> = [
      [1, 40],
      [2, 3],
      [3, 12],
      [4, 25],
    ];
    await seedVisits(
      pool,
      sizes.flatMap(([u, n]) =>
        answers({ promoters: Math.ceil(n / 2), passives: 0, detractors: Math.floor(n / 2) }, (i) => ({
          unit: unit(u),
          day: `2021-03-${String(1 + (i % 28)).padStart(2, '0')}`,
        })),
      ),
    );
    // April 2019: units 5 (1 answer) and 6 (30) are health stations, unit 8 (10) the one dental unit.
    await seedVisits(pool, [
      ...answers({ promoters: 1, passives: 0, detractors: 0 }, () => ({ unit: unit(5), day: '2019-04-10' })),
      ...answers({ promoters: 20, passives: 5, detractors: 5 }, () => ({ unit: unit(6), day: '2019-04-11' })),
      ...answers({ promoters: 5, passives: 5, detractors: 0 }, () => ({ unit: unit(8), day: '2019-04-12', service: 'dental' })),
    ]);
    // 2020: targets and comments.
    const y2020: SeedVisit[] = [
      ...answers({ promoters: 9, passives: 1, detractors: 0 }, () => ({ unit: unit(5), day: '2020-05-10' })), // NPS 90
      ...answers({ promoters: 5, passives: 3, detractors: 2 }, () => ({ unit: unit(6), day: '2020-05-11' })), // NPS 30
      ...answers({ promoters: 2, passives: 0, detractors: 0 }, () => ({ unit: unit(7), day: '2020-05-12' })), // too few to rank
      {
        unit: unit(5),
        day: '2020-05-13',
        outcome: 'answered',
        score: 10,
        comment: 'Loistava hoitaja, soita 040 1234567 tai maili liisa@example.com',
      },
      { unit: unit(7), day: '2020-05-13', outcome: 'answered', score: 2, comment: 'Pieni ryhmä: ei saa näkyä' },
      { unit: unit(6), day: '2020-05-14', outcome: 'answered', score: 8, comment: '=HYPERLINK("x") odotus pitkä' },
    ];
    await seedVisits(pool, y2020);
  });

  afterAll(async () => {
    await app.close();
    await pool.end();
    await env.cleanup();
  });

  it('reproduces Keusote 2024 exactly: NPS 56 with 71 % promoters, 14 % passives, 15 % detractors', async () => {
    const body = (await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31')).json();
    expect(body.total).toMatchObject({ n: 1000, promoters: 710, passives: 140, detractors: 150, nps: 56, suppressed: false });
    expect(body.total.shares).toEqual({ promoters: 0.71, passives: 0.14, detractors: 0.15 });
    expect(body.total.ci95[0]).toBeLessThan(56);
    expect(body.total.ci95[1]).toBeGreaterThan(56);
  });

  it('takes a dimension under its other spellings (age_band, Language, unit_id) and answers with its own name', async () => {
    const canonical = (await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&groupBy=ageBand,language')).json();
    const spelled = (await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&groupBy=age_band,Language')).json();
    expect(spelled.groupBy).toEqual(['ageBand', 'language']);
    expect(spelled.rows).toEqual(canonical.rows);
    expect(spelled.rows.length).toBeGreaterThan(0);
    expect((await get('/v1/reports/funnel?from=2024-01-01&to=2024-12-31&groupBy=unit_id')).json().groupBy).toEqual(['unit']);
    // the same dimension twice, however spelled, is still refused
    expect((await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&groupBy=ageBand,age_band')).status).toBe(400);
    // and more than four dimensions (its suppression took seconds of the console's one thread)
    const five = await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&groupBy=unit,month,ageBand,language,source');
    expect(five.status).toBe(400);
    expect(five.json().detail).toMatch(/groupBy: at most 4 dimensions/);
    const unknown = await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&groupBy=unit,foo');
    expect(unknown.json().errors).toEqual([{ field: 'groupBy', message: expect.stringContaining('each must be one of unit, service') }]);
  });

  it('refuses a filter value no answer can have, naming it, instead of an empty figure (a console probe: language=de)', async () => {
    for (const [query, name] of [
      ['language=de', 'language'],
      ['service=dentist', 'service'],
      ['ageBand=18-24,99', 'ageBand'],
      ['source=life%20care', 'source'],
    ]) {
      const res = await get(`/v1/reports/nps?from=2024-01-01&to=2024-12-31&${query}`);
      expect(res.status).toBe(400);
      expect(res.type).toMatch(/^application\/problem\+json/);
      expect(res.body).toContain(name);
      expect(JSON.parse(res.body).errors.map((e: { field: string }) => e.field)).toEqual([name]);
    }
    // Any case for a language, and 75+ whose + a URL turned into a space.
    const sv = (await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&language=sv')).json();
    expect((await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&language=SV')).json().total).toEqual(sv.total);
    // A source in any case (a probe: `Lifecare` answered an empty report, as if it had sent nothing).
    const lifecare = (await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&source=lifecare')).json();
    expect(lifecare.total.n).toBeGreaterThan(0);
    expect((await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&source=Lifecare')).json().total).toEqual(lifecare.total);
    const encoded = await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&ageBand=75%2B');
    const plain = await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&ageBand=75+');
    expect([encoded.status, plain.status]).toEqual([200, 200]);
    expect(plain.json().total).toEqual(encoded.json().total);
  });

  it('adds months and days up to the same figures whatever the period boundaries', async () => {
    const months = (await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&groupBy=month')).json();
    expect(months.rows).toHaveLength(12);
    expect(months.rows.reduce((s: number, r: { n: number }) => s + r.n, 0)).toBe(1000);
    const weeks = (await get('/v1/reports/nps?from=2024-01-01&to=2024-12-31&groupBy=week')).json();
    expect(weeks.total).toEqual(months.total);
    // A period with partial months at both ends (read from the daily rollup) and whole months between.
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM responses WHERE visit_day BETWEEN '2024-02-10' AND '2024-11-20'`,
    );
    const partial = (await get('/v1/reports/nps?from=2024-02-10&to=2024-11-20')).json();
    expect(partial.total.n).toBe(rows[0]?.n);
  });

  it('reproduces the Länsi-Uusimaa pilot: 12,000 texts delivered, 25.5 % answered', async () => {
    const f = (await get('/v1/reports/funnel?from=2022-01-01&to=2022-12-31')).json();
    expect(f).toMatchObject({
      received: 12_550,
      eligible: 12_050,
      skipped: { 'under-age': 300, 'no-mobile': 200 },
      cancelled: 50,
      sent: 12_000,
      delivered: 12_000,
      answered: 3060,
      responseRate: 0.255,
    });
    const byUnit = (await get('/v1/reports/funnel?from=2022-01-01&to=2022-12-31&groupBy=unit')).json();
    expect(byUnit.rows.map((r: { key: { unit: string } }) => r.key.unit)).toEqual([unit(1), unit(2), unit(3)]);
    expect(byUnit.rows.reduce((s: number, r: { answered: number }) => s + r.answered, 0)).toBe(3060);
  });

  it('counts texts Twilio refused without sending them as failed, so eligible visits add up (a probe: one refused text was in no figure)', async () => {
    await seedVisits(pool, [
      { unit: unit(1), day: '2019-05-02', outcome: 'scheduled' },
      { unit: unit(1), day: '2019-05-02', outcome: 'sent' },
      { unit: unit(1), day: '2019-05-02', outcome: 'sent' },
    ]);
    // As the sender marks a refusal (21211), and as a carrier's "failed" callback marks a sent text.
    await pool.query(`UPDATE invitations i SET status = 'failed', error_code = 21211 FROM visits v
                       WHERE v.id = i.visit_id AND v.visit_day = '2019-05-02' AND i.status = 'scheduled'`);
    await pool.query(`UPDATE invitations i SET status = 'failed', error_code = 30008 FROM visits v
                       WHERE v.id = i.visit_id AND v.visit_day = '2019-05-02' AND i.id = (
                         SELECT i2.id FROM invitations i2 JOIN visits v2 ON v2.id = i2.visit_id
                          WHERE v2.visit_day = '2019-05-02' AND i2.status = 'sent' ORDER BY i2.id LIMIT 1)`);
    const f = (await get('/v1/reports/funnel?from=2019-05-01&to=2019-05-31')).json();
    expect(f).toMatchObject({ received: 3, eligible: 3, cancelled: 0, failed: 1, sent: 2 });
    expect((await get('/v1/reports/funnel?from=2019-01-01&to=2019-12-31')).json().failed).toBe(1); // from the monthly rollup
    const csv = (await get('/v1/reports/funnel?from=2019-05-01&to=2019-05-31&format=csv')).body.split('\n');
    const header = csv[0]?.split(',') ?? [];
    expect(csv[1]?.split(',')[header.indexOf('failed')]).toBe('1');
    // The same columns for every period, whichever skips it had (none here, some in another year).
    const skips = header.filter((h) => h.startsWith('skipped_'));
    expect(skips).toHaveLength(14);
    expect(skips.slice(0, 2)).toEqual(['skipped_under-age', 'skipped_no-mobile']);
    expect(csv[1]?.split(',')[header.indexOf('skipped_under-age')]).toBe('0');
    const other = (await get('/v1/reports/funnel?from=2020-01-01&to=2022-12-31&format=csv')).body.split('\n');
    expect(other[0]).toBe(csv[0]);
  });

  it('counts eligible texts not yet cancelled, failed or sent as waiting (a support probe: texts held by quiet hours were in no figure)', async () => {
    await seedVisits(pool, [
      { unit: unit(1), day: '2019-07-03', outcome: 'scheduled' },
      { unit: unit(1), day: '2019-07-03', outcome: 'scheduled' },
      { unit: unit(2), day: '2019-07-03', outcome: 'sent' },
      { unit: unit(2), day: '2019-07-03', outcome: 'cancelled' },
      { unit: unit(2), day: '2019-07-03', outcome: 'skipped' },
    ]);
    const f = (await get('/v1/reports/funnel?from=2019-07-01&to=2019-07-31')).json();
    expect(f).toMatchObject({ received: 5, eligible: 4, cancelled: 1, failed: 0, waiting: 2, sent: 1 });
    const byUnit = (await get('/v1/reports/funnel?from=2019-07-01&to=2019-07-31&groupBy=unit&minN=1')).json();
    expect(byUnit.rows.map((r: { waiting: number }) => r.waiting)).toEqual([2, 0]);
    const csv = (await get('/v1/reports/funnel?from=2019-07-01&to=2019-07-31&format=csv')).body.split('\n');
    expect(csv[1]?.split(',')[csv[0]?.split(',').indexOf('waiting') ?? -1]).toBe('2');
  });

  it('suppresses a group under minN and a second one, so the total cannot give it away', async () => {
    const body = (await get('/v1/reports/nps?from=2021-03-01&to=2021-03-31&groupBy=unit')).json();
    const byUnit = Object.fromEntries(body.rows.map((r: { key: { unit: string } }) => [r.key.unit, r]));
    expect(byUnit[unit(2)]).toEqual({ key: { unit: unit(2) }, n: 3, suppressed: true, suppression: 'small-group' });
    expect(byUnit[unit(3)]).toEqual({ key: { unit: unit(3) }, n: 12, suppressed: true, suppression: 'complementary' });
    expect(byUnit[unit(1)]).toMatchObject({ n: 40, promoters: 20, detractors: 20, nps: 0, suppressed: false });
    expect(body.total).toMatchObject({ n: 80, suppressed: false });
    // Subtracting what is shown from the total leaves units 2 and 3 together, never unit 2 alone.
    const shown = body.rows
      .filter((r: { suppressed: boolean }) => !r.suppressed)
      .reduce((s: number, r: { promoters: number }) => s + r.promoters, 0);
    expect(body.total.promoters - shown).toBe(2 + 6);

    const csv = (await get('/v1/reports/nps?from=2021-03-01&to=2021-03-31&groupBy=unit&format=csv')).body.trim().split('\r\n');
    expect(csv[0]).toBe(
      'level,unit_id,n,promoters,passives,detractors,promoter_share,passive_share,detractor_share,nps,ci95_low,ci95_high,comment_share,suppressed',
    );
    expect(csv.find((l) => l.includes(unit(2)))).toBe(`group,${unit(2)},3,,,,,,,,,,,true`);
  });

  it('hides a second unit of the small unit’s service, so that the service report minus the shown units gives no single unit', async () => {
    const period = 'from=2019-04-01&to=2019-04-30';
    const byUnit = (await get(`/v1/reports/nps?${period}&groupBy=unit`)).json();
    const byService = (await get(`/v1/reports/nps?${period}&groupBy=service`)).json();
    const hidden = byUnit.rows.filter((r: { suppressed: boolean }) => r.suppressed).map((r: { key: { unit: string } }) => r.key.unit);
    // Unit 8 is all of dental, which the service report shows: hiding it would protect nothing.
    expect(hidden).toEqual([unit(5), unit(6)]);
    const healthStations = byService.rows.find((r: { key: { service: string } }) => r.key.service === 'health-station');
    expect(healthStations).toMatchObject({ n: 31, suppressed: false }); // 31 − nothing shown: units 5 and 6 together only
  });

  it('hides a second unit of the small unit’s record system too, so that the source report minus the shown units gives no single unit', async () => {
    // February 2017, all health stations: units 1 (2 answers) and 4 (20) are on Lifecare, units 2 (15) and 3 (20) on
    // Pegasos. Unit 1's complement must be in its own record system: unit 4 (the smallest anywhere, unit 2, would not do).
    await seedVisits(pool, [
      ...answers({ promoters: 1, passives: 1, detractors: 0 }, () => ({ unit: unit(1), day: '2017-02-03' })),
      ...answers({ promoters: 10, passives: 5, detractors: 5 }, () => ({ unit: unit(4), day: '2017-02-04' })),
      ...answers({ promoters: 10, passives: 3, detractors: 2 }, () => ({ unit: unit(2), day: '2017-02-05', source: 'pegasos' })),
      ...answers({ promoters: 12, passives: 5, detractors: 3 }, () => ({ unit: unit(3), day: '2017-02-06', source: 'pegasos' })),
    ]);
    const period = 'from=2017-02-01&to=2017-02-28';
    const byUnit = (await get(`/v1/reports/nps?${period}&groupBy=unit`)).json();
    const marks = Object.fromEntries(byUnit.rows.map((r: { key: { unit: string }; suppression?: string }) => [r.key.unit, r.suppression]));
    // An analyst probe: the lifecare line (22) minus the unit shown beside it gave unit 1's two answers exactly.
    // One complement serves the table, the service and the Lifecare lines at once; the Pegasos units stay shown
    // (a regression probe: the smallest unit anywhere as the first complement started a chain that hid them all).
    expect(marks).toEqual({ [unit(1)]: 'small-group', [unit(2)]: undefined, [unit(3)]: undefined, [unit(4)]: 'complementary' });
    // ...and the unit × source table, where each unit is the whole of its line, hides them as the unit report does
    // (a regression probe: it showed unit 4, and with the source × service report that gave unit 1 back)
    const byUnitSource = (await get(`/v1/reports/nps?${period}&groupBy=unit,source`)).json();
    const hiddenThere = byUnitSource.rows
      .filter((r: { suppressed: boolean }) => r.suppressed)
      .map((r: { key: { unit: string } }) => r.key.unit);
    expect(hiddenThere.sort()).toEqual([unit(1), unit(4)]);
    const bySource = (await get(`/v1/reports/nps?${period}&groupBy=source`)).json();
    expect(bySource.rows.find((r: { key: { source: string } }) => r.key.source === 'lifecare')).toMatchObject({ n: 22, suppressed: false });
    // ...also in the funnel, whose groups are by texts delivered
    const funnel = (await get(`/v1/reports/funnel?${period}&groupBy=unit`)).json();
    const funnelMarks = Object.fromEntries(
      funnel.rows.map((r: { key: { unit: string }; suppression?: string }) => [r.key.unit, r.suppression]),
    );
    expect([funnelMarks[unit(1)], funnelMarks[unit(4)]]).toEqual(['small-group', 'complementary']);
  });

  it('hides one more group when the small ones together are still too few to show as a sum', async () => {
    // With minN 16, units 2 (3) and 3 (12) are small, and 15 answers together would follow from the
    // total minus unit 1 and unit 4: unit 4 is hidden too.
    const body = (await get('/v1/reports/nps?from=2021-03-01&to=2021-03-31&groupBy=unit&minN=16')).json();
    const marks = Object.fromEntries(body.rows.map((r: { key: { unit: string }; suppression?: string }) => [r.key.unit, r.suppression]));
    expect(marks).toEqual({ [unit(1)]: undefined, [unit(2)]: 'small-group', [unit(3)]: 'small-group', [unit(4)]: 'complementary' });
    expect(body.total).toMatchObject({ n: 80, suppressed: false });
  });

  it('hides the total too when one small group is all there is', async () => {
    const body = (await get(`/v1/reports/nps?from=2021-03-01&to=2021-03-31&groupBy=unit&unit=${unit(2)}`)).json();
    expect(body.rows).toEqual([{ key: { unit: unit(2) }, n: 3, suppressed: true, suppression: 'small-group' }]);
    expect(body.total).toEqual({ n: 3, suppressed: true, suppression: 'small-group' });
    for (const groupBy of ['', '&groupBy=']) {
      const whole = (await get(`/v1/reports/nps?from=2021-03-01&to=2021-03-31&unit=${unit(2)}${groupBy}`)).json();
      expect(whole.rows).toEqual([{ key: {}, n: 3, suppressed: true, suppression: 'small-group' }]);
      expect(whole.total).toEqual({ n: 3, suppressed: true, suppression: 'small-group' });
      const csv = (await get(`/v1/reports/nps?from=2021-03-01&to=2021-03-31&unit=${unit(2)}${groupBy}&format=csv`)).body;
      expect(csv.trim().split('\r\n').slice(1)).toEqual(['group,3,,,,,,,,,,,true', 'total,3,,,,,,,,,,,true']);
    }
  });

  it('hides in the unit × month table what the unit report hides as a complement', async () => {
    // March 2021: unit 3 (12 answers) is the complement of unit 2 (3) in the unit report, and all of
    // unit 3's answers are in March, so the unit × month report must hide unit 3's March too.
    const byUnit = (await get('/v1/reports/nps?from=2021-03-01&to=2021-03-31&groupBy=unit')).json();
    const both = (await get('/v1/reports/nps?from=2021-03-01&to=2021-03-31&groupBy=unit,month')).json();
    const hidden = (body: { rows: Array<{ key: { unit: string }; suppressed: boolean }> }) =>
      body.rows.filter((r) => r.suppressed).map((r) => r.key.unit);
    expect(hidden(byUnit)).toEqual([unit(2), unit(3)]);
    expect(hidden(both)).toEqual([unit(2), unit(3)]);
    expect(both.total).toMatchObject({ n: 80, suppressed: false });
  });

  it('counts the units that reach the target among units with enough answers, and coverage of enrolled units (not of a paused one)', async () => {
    const t = (await get('/v1/reports/targets?from=2020-01-01&to=2020-12-31')).json();
    expect(t).toMatchObject({ minN: 5, targetNps: 60, unitsReported: 2, unitsMeetingTarget: 1, targetShare: 0.5 });
    expect(t).toMatchObject({ enrolledUnits: 8, unitsWithAnswers: 3, coverage: 0.375 });
    const dental = (await get('/v1/reports/targets?from=2020-01-01&to=2020-12-31&service=dental&targetNps=20')).json();
    expect(dental).toMatchObject({ enrolledUnits: 1, unitsWithAnswers: 0, coverage: 0, unitsReported: 0, targetShare: null });
  });

  it('lists masked comments with band, unit and month, only from groups with at least minN answers', async () => {
    const c = (await get('/v1/reports/comments?from=2020-01-01&to=2020-12-31')).json();
    expect(c.comments).toEqual([
      { unit: unit(6), month: '2020-05', scoreBand: 'passive', comment: '=HYPERLINK("x") odotus pitkä', language: 'fi' },
      {
        unit: unit(5),
        month: '2020-05',
        scoreBand: 'promoter',
        comment: 'Loistava hoitaja, soita [phone] tai maili [email]',
        language: 'fi',
      },
    ]);
    const csv = (await get('/v1/reports/comments?from=2020-01-01&to=2020-12-31&format=csv')).body;
    expect(csv).toContain(`"'=HYPERLINK(""x"") odotus pitkä"`);
    // unit 7's two answers are held back, and the report says that some are (a support probe read an empty list as none)
    expect(c.withheldUnitMonths).toBe(1);
    const small = (await get(`/v1/reports/comments?from=2020-01-01&to=2020-12-31&unit=${unit(7)}`)).json();
    expect(small).toMatchObject({ comments: [], withheldUnitMonths: 1 });
  });

  it('exports one CSV line per response with the contract’s columns and nothing personal', async () => {
    const res = await get('/v1/exports/responses.csv?from=2020-01-01&to=2020-12-31');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    const lines = res.body.trim().split('\r\n');
    expect(lines[0]).toBe('unit_id,service,visit_month,age_band,language,source,score,comment,score_band,answer_language');
    expect(lines).toHaveLength(1 + 25);
    expect(res.body).toContain(
      `${unit(5)},health-station,2020-05,45-54,fi,lifecare,10,Loistava hoitaja,`.replace(
        ',Loistava hoitaja,',
        ',"Loistava hoitaja, soita [phone] tai maili [email]",',
      ),
    );
    expect(res.body).not.toMatch(/040 1234567|liisa@example\.com/);
    const big = await get('/v1/exports/responses.csv?from=2022-01-01&to=2022-12-31');
    expect(big.body.trim().split('\r\n')).toHaveLength(1 + 3060);
  });

  it('answers bad queries with problem+json and refuses requests without the token', async () => {
    const bad = await get('/v1/reports/nps?from=2024-02-01&to=2024-01-01&groupBy=planet');
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/problem\+json/);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['groupBy', 'to']);
    expect((await get('/v1/reports/funnel?from=2024-02-01&to=2024-01-01')).status).toBe(400);
    expect((await get('/v1/reports/nps?to=2024-01-01')).status).toBe(400);
    for (const url of [
      '/v1/reports/nps?from=0001-01-01&to=9999-12-31',
      '/v1/reports/funnel?from=2024-01-01&to=10000-01-01',
      '/v1/reports/nps?from=2024-01-01&to=2024-12-31&unit=x%00y',
      '/v1/exports/responses.csv?from=2024-01-01&to=2024-12-31&unit=x%00y',
    ]) {
      const res = await get(url);
      expect([res.status, res.type]).toEqual([400, expect.stringMatching(/problem\+json/)]);
    }
    // A misspelt filter is refused, never ignored (the county's figures would pass for the unit's).
    for (const url of [
      '/v1/reports/nps?from=2024-01-01&to=2024-12-31&units=x',
      '/v1/reports/nps?from=2024-01-01&to=2024-12-31&groupby=unit',
      '/v1/reports/funnel?from=2024-01-01&to=2024-12-31&unit[]=x',
      '/v1/exports/responses.csv?from=2024-01-01&to=2024-12-31&untis=x',
    ]) {
      const res = await get(url);
      expect([res.status, res.type]).toEqual([400, expect.stringMatching(/problem\+json/)]);
      expect(res.json().detail).toMatch(/unknown parameter "(units|groupby|unit\[\]|untis)"/);
    }
    // So is a parameter the endpoint has no use for (a probe: the export took minN=10, limit=1 and
    // format=json and answered every row as CSV).
    const period = 'from=2024-01-01&to=2024-12-31';
    for (const [url, name] of [
      [`/v1/exports/responses.csv?${period}&minN=10`, 'minN'],
      [`/v1/exports/responses.csv?${period}&limit=1`, 'limit'],
      [`/v1/exports/responses.csv?${period}&groupBy=unit`, 'groupBy'],
      [`/v1/reports/nps?${period}&limit=5`, 'limit'],
      [`/v1/reports/nps?${period}&targetNps=50`, 'targetNps'],
      [`/v1/reports/funnel?${period}&offset=5`, 'offset'],
      [`/v1/reports/comments?${period}&groupBy=unit`, 'groupBy'],
    ]) {
      const res = await get(url as string);
      expect([res.status, res.json().errors?.[0]?.field], url).toEqual([400, name]);
    }
    const json = await get(`/v1/exports/responses.csv?${period}&format=json`);
    expect([json.status, json.json().errors?.[0]?.field]).toEqual([400, 'format']);
    for (const url of [
      `/v1/exports/responses.csv?${period}&format=csv&unit=${unit(1)}`,
      `/v1/reports/targets?${period}&targetNps=50&minN=6`,
      `/v1/reports/comments?${period}&limit=5&offset=5`,
      `/v1/reports/nps?${period}&groupBy=unit&minN=6&format=csv`,
    ]) {
      expect((await get(url)).status, url).toBe(200);
    }
    const garbage = (await get('/v1/reports/nps?from=garbage&to=2024-01-01')).json();
    expect(garbage.errors.map((e: { field: string }) => e.field)).toEqual(['from']);
    const anonymous = await app.inject('/v1/reports/nps?from=2024-01-01&to=2024-12-31');
    expect(anonymous.statusCode).toBe(401);
    expect((await app.inject('/v1/exports/responses.csv?from=2024-01-01&to=2024-12-31')).statusCode).toBe(401);
  });

  it('reads a unit filter as ingest reads the unit, refuses one no visit came from, and says which filters it counted under', async () => {
    const period = 'from=2021-03-01&to=2021-03-31';
    const plain = (await get(`/v1/reports/nps?${period}&unit=${unit(1)}`)).json();
    expect(plain.total.n).toBe(40);
    // Copied from a FHIR resource: the same unit, not an empty report.
    for (const written of [`urn:oid:${unit(1)}`, `URN:OID:${unit(1)}`]) {
      expect((await get(`/v1/reports/nps?${period}&unit=${encodeURIComponent(written)}`)).json().total).toEqual(plain.total);
    }
    // A unit taken out of the config still has its history.
    await seedVisits(
      pool,
      answers({ promoters: 6, passives: 0, detractors: 0 }, () => ({ unit: '1.2.246.10.99.10.42', day: '2021-07-05' })),
    );
    expect((await get('/v1/reports/nps?from=2021-07-01&to=2021-07-31&unit=1.2.246.10.99.10.42')).json().total.n).toBe(6);
    // A typo is a mistake, not "no answers": the county's manager would read a unit as silent.
    for (const url of [
      `/v1/reports/nps?${period}&unit=1.2.246.10.99.10.9`,
      `/v1/reports/funnel?${period}&unit=${unit(1)},1.2.3`,
      `/v1/exports/responses.csv?${period}&unit=1.2.3`,
    ]) {
      const res = await get(url);
      expect([res.status, res.type, res.json().errors?.[0]?.field], url).toEqual([400, expect.stringMatching(/problem\+json/), 'unit']);
      expect(res.json().detail, url).toMatch(/not a unit of KAIKU_CONFIG/);
    }
    // An empty filter (`unit=`, as the contract's template writes it) filters nothing; the answer says which filters it counted under.
    const all = (await get(`/v1/reports/nps?${period}&unit=&service=`)).json();
    expect(all.total.n).toBe((await get(`/v1/reports/nps?${period}`)).json().total.n);
    expect(all.filters).toBeUndefined();
    expect((await get(`/v1/reports/nps?${period}&unit=urn:oid:${unit(1)}`)).json().filters).toEqual({ unit: [unit(1)] });
  });

  it('shows a funnel group no text reached (all skipped, as minors are) instead of hiding a large group beside it', async () => {
    // June 2018: adults texted and answering, minors skipped as under-age (a dashboard probe).
    const june = (ageBand: string) => (i: number) => ({ unit: unit(1), day: `2018-06-${String(1 + (i % 28)).padStart(2, '0')}`, ageBand });
    await seedVisits(pool, [
      ...answers({ promoters: 20, passives: 10, detractors: 10 }, june('25-34')),
      ...Array.from({ length: 30 }, (_, i) => ({ ...june('35-44')(i), outcome: 'delivered' as const })),
      ...answers({ promoters: 5, passives: 0, detractors: 0 }, june('35-44')),
      ...Array.from({ length: 6 }, (_, i) => ({ ...june('0-17')(i), outcome: 'skipped' as const, skipReason: 'under-age' })),
    ]);
    const body = (await get('/v1/reports/funnel?from=2018-06-01&to=2018-06-30&groupBy=ageBand')).json();
    const row = (band: string) => body.rows.find((r: { key: { ageBand: string } }) => r.key.ageBand === band);
    expect(row('0-17')).toMatchObject({ suppressed: false, received: 6, skipped: { 'under-age': 6 }, delivered: 0, responseRate: null });
    expect(row('25-34')).toMatchObject({ suppressed: false, delivered: 40, answered: 40 });
    expect(row('35-44')).toMatchObject({ suppressed: false, delivered: 35, answered: 5 });
  });

  it('answers an export whose database is gone with a problem, not a 200 cut short', async () => {
    const gone = createPool('postgres://postgres@127.0.0.1:1/kaiku');
    const down = buildConsoleApp({ pool: gone, kaiku, logger: pino({ level: 'silent' }), token: TOKEN });
    try {
      const res = await down.inject({
        url: '/v1/exports/responses.csv?from=2020-01-01&to=2020-12-31',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(500);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    } finally {
      await down.close();
      await gone.end();
    }
  });
});
