import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { unitIdOf } from '@kaiku/core';
import { logRefusal, safeEqual } from '@kaiku/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { commentsReport } from '../reports/comments.report.ts';
import { funnelReport } from '../reports/funnel.report.ts';
import { npsReport } from '../reports/nps.report.ts';
import { reportQuerySchema, unitsInServices } from '../reports/report-query.ts';
import { targetsReport } from '../reports/targets.report.ts';
import { assertUnitsKnown, parseReportQuery, REPORTS, type ReportDeps, sendCsv, streamResponsesCsv } from '../routes/reports.routes.ts';
import { dashboardPage, type FilterIssue } from './dashboard.page.ts';
import { pickUiLanguage } from './i18n.ts';
import { loginPage } from './login.page.ts';
import { createSession, createSessions, readCookie, SESSION_COOKIE, sessionCookie } from './session.ts';

const require = createRequire(import.meta.url);
const ASSETS: Record<string, { type: string; body: Buffer }> = {
  'uplot.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')) },
  'uplot.css': { type: 'text/css; charset=utf-8', body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')) },
  'dashboard.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./assets/dashboard.js', import.meta.url)) },
  'dashboard.css': { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/dashboard.css', import.meta.url)) },
};

/** Nothing from outside the server; no inline script runs. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function helsinkiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Helsinki', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );
}

/** The default period: the last twelve whole months plus this month so far. */
function defaultPeriod(): { from: string; to: string } {
  const to = helsinkiToday();
  const [y, m] = to.split('-').map(Number) as [number, number];
  const from = new Date(Date.UTC(y, m - 1 - 12, 1)).toISOString().slice(0, 10);
  return { from, to };
}

/**
 * Where to go after signing in: the page asked for, if it is one of the dashboard's own (a path
 * here, not `//host` or a scheme: never another site).
 */
function nextPage(query: unknown): string {
  const next = (query as { next?: unknown } | undefined)?.next;
  // Printable ASCII only: the page's own addresses come percent-encoded (a control character in
  // a crafted one made the redirect's header invalid: a 500).
  return typeof next === 'string' && /^\/(?:$|[?]|csv\/)/.test(next) && /^[\x21-\x7e]*$/.test(next) && next.length <= 2000 ? next : '';
}
/** The login page, to come back to this request's page. */
const loginFor = (request: FastifyRequest, lang: string) => `/login?lang=${lang}&next=${encodeURIComponent(request.url)}`;

/** What the dashboard's address may carry: its language and the form's filters. */
const DASHBOARD_PARAMETERS = new Set(['lang', 'from', 'to', 'unit', 'service']);

/**
 * The dashboard at `/`, its login page and its CSV downloads, behind an HttpOnly session cookie
 * issued for the console token. The JSON API stays bearer-only.
 */
export function registerDashboard(app: FastifyInstance, deps: ReportDeps & { token: string; secureCookies: boolean }) {
  const sessions = createSessions({ token: deps.token, pool: deps.pool });
  const signedIn = (request: FastifyRequest) => sessions.isSignedIn(readCookie(request.headers.cookie, SESSION_COOKIE));
  const html = (reply: FastifyReply, body: string, status = 200) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .send(body);

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get('/assets/:name', async (request, reply) => {
    const asset = ASSETS[(request.params as { name: string }).name];
    if (!asset) return reply.callNotFound();
    return reply
      .type(asset.type)
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(asset.body);
  });

  // Browsers ask for it on every page: nothing to show, but no 404 in their console either.
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());

  app.get('/login', async (request, reply) =>
    html(reply, loginPage(pickUiLanguage(request.query, request.headers['accept-language']), false, nextPage(request.query))),
  );

  app.post('/login', async (request, reply) => {
    const lang = pickUiLanguage(request.query, request.headers['accept-language']);
    const token = (request.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || !safeEqual(token, deps.token)) {
      logRefusal(reply, 401, 'Unauthorized');
      return html(reply, loginPage(lang, true, nextPage(request.query)), 401);
    }
    const session = createSession(deps.token);
    return reply
      .header('set-cookie', sessionCookie(session.value, session.maxAge, deps.secureCookies))
      .redirect(nextPage(request.query) || `/?lang=${lang}`, 303);
  });

  app.post('/logout', async (request, reply) => {
    await sessions.end(readCookie(request.headers.cookie, SESSION_COOKIE));
    const lang = pickUiLanguage(request.query, request.headers['accept-language']);
    return reply.header('set-cookie', sessionCookie('', 0, deps.secureCookies)).redirect(`/login?lang=${lang}`, 303);
  });

  app.get('/', async (request, reply) => {
    const lang = pickUiLanguage(request.query, request.headers['accept-language']);
    if (!(await signedIn(request))) return reply.redirect(loginFor(request, lang), 303);
    // A parameter given twice comes as a list (`unit=a&unit=b`): read as one, refused as a list.
    const raw = Object.fromEntries(
      Object.entries(request.query as Record<string, string | string[] | undefined>).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.join(',') : v,
      ]),
    ) as Record<string, string | undefined>;
    const period = defaultPeriod();
    const input = {
      from: raw.from || period.from,
      to: raw.to || period.to,
      unit: raw.unit || undefined,
      service: raw.service || undefined,
    };
    const parsed = reportQuerySchema.safeParse(input);
    // Which filter, and whether the period runs backwards: the page says it in its own language.
    const issues: FilterIssue[] = parsed.success
      ? []
      : parsed.error.issues.map((i) => ({
          field: String(i.path[0]),
          reversed: i.path[0] === 'to' && i.message === 'must not be before from',
        }));
    // The form picks one unit (of the config's) and one service: a list, a unit the form has not,
    // or a parameter the page has no filter for (a link's `units=`, `language=`) would show figures
    // the form does not say, or the county's under a filter's name.
    if (input.unit !== undefined && !deps.kaiku.units.some((u) => u.id === unitIdOf(input.unit as string)))
      issues.push({ field: 'unit', reversed: false });
    if (input.service?.includes(',') && !issues.some((i) => i.field === 'service')) issues.push({ field: 'service', reversed: false });
    for (const name of Object.keys(raw).filter((k) => !DASHBOARD_PARAMETERS.has(k))) {
      issues.push({ field: name.slice(0, 40), reversed: false, unknown: true });
    }
    const base = parsed.success && issues.length === 0 ? parsed.data : reportQuerySchema.parse({ ...period });
    // Said on the page (and with 400), never silently swapped for the default period.
    const rejected =
      issues.length === 0
        ? undefined
        : {
            from: input.from.slice(0, 40),
            to: input.to.slice(0, 40),
            unit: (input.unit ?? '').slice(0, 200),
            service: (input.service ?? '').slice(0, 40),
            issues,
          };
    if (rejected) {
      const first = rejected.issues[0];
      logRefusal(reply, 400, 'Invalid filters', first?.unknown ? '(unknown-parameter)' : first?.field);
    }
    const minN = deps.kaiku.reporting.minN;
    const q = (groupBy: Array<'month' | 'unit' | 'ageBand' | 'language'>) => ({ ...base, groupBy });
    const [total, byMonth, byUnit, funnel, byAgeBand, byLanguage, targets, comments] = await Promise.all([
      npsReport(deps.pool, q([]), minN),
      npsReport(deps.pool, q(['month']), minN),
      npsReport(deps.pool, q(['unit']), minN, unitsInServices(deps.kaiku)),
      funnelReport(deps.pool, q([]), minN),
      funnelReport(deps.pool, q(['ageBand']), minN),
      funnelReport(deps.pool, q(['language']), minN),
      targetsReport(deps.pool, q([]), deps.kaiku),
      commentsReport(deps.pool, { ...q([]), limit: 10, offset: 0 }, minN),
    ]);
    return html(
      reply,
      dashboardPage({
        lang,
        figures: { from: base.from, to: base.to, unit: base.unit[0] ?? '', service: base.service[0] ?? '' },
        // What was asked for stays in the form, to be corrected there.
        query: rejected
          ? { from: rejected.from, to: rejected.to, unit: rejected.unit, service: rejected.service }
          : { from: base.from, to: base.to, unit: base.unit[0] ?? '', service: base.service[0] ?? '' },
        ...(rejected ? { rejected } : {}),
        kaiku: deps.kaiku,
        total,
        byMonth,
        byUnit,
        funnel,
        byAgeBand,
        byLanguage,
        targets,
        comments,
      }),
      rejected ? 400 : 200,
    );
  });

  app.get('/csv/:name', async (request, reply) => {
    if (!(await signedIn(request)))
      return reply.redirect(loginFor(request, pickUiLanguage(request.query, request.headers['accept-language'])), 303);
    const name = (request.params as { name: string }).name;
    // (the page's own `lang` is no report parameter; a period left out is the page's default one, as
    // on the page: a download link cut short said "from: Invalid input"; an accessibility probe)
    const { lang: _lang, ...given } = request.query as Record<string, unknown>;
    const period = defaultPeriod();
    const query = { ...given, from: given.from || period.from, to: given.to || period.to };
    // For Excel: Finnish and Swedish Excel read `;` and decimal commas (the page's language says which).
    const dialect = { semicolons: pickUiLanguage(request.query, request.headers['accept-language']) !== 'en' };
    if (name === 'responses') {
      const q = parseReportQuery('responses', { ...query, format: 'csv' });
      await assertUnitsKnown(deps, q.unit);
      return streamResponsesCsv(reply, deps, q, true, dialect);
    }
    const report = REPORTS[name as keyof typeof REPORTS];
    if (!report) return reply.callNotFound();
    const q = parseReportQuery(name as keyof typeof REPORTS, { ...query, format: 'csv' });
    // A download of a unit no visit came from is a typo, as on the page and in the API: not an empty file.
    await assertUnitsKnown(deps, q.unit);
    // biome-ignore lint/suspicious/noExplicitAny: each entry pairs its own run and csv
    const result: any = await report.run(deps, q);
    return sendCsv(reply, `kaiku-${name}-${q.from}-${q.to}.csv`, report.csv(result, dialect), true);
  });
}
