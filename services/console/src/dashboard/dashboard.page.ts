import type { KaikuConfig } from '@kaiku/config';
import { SERVICE_KINDS } from '@kaiku/config';
import type { CommentsReport } from '../reports/comments.report.ts';
import type { FunnelReport } from '../reports/funnel.report.ts';
import type { NpsFiguresRow, NpsReport } from '../reports/nps.report.ts';
import type { TargetsReport } from '../reports/targets.report.ts';
import { bar, comments, funnel, rateTable, suppressedLabel, unitName } from './dashboard.sections.ts';
import { esc, jsonBlock, layout } from './html.ts';
import { fill, formatCount, formatShare, LANGUAGE_LINKS, otherLanguages, STRINGS, type Strings, type UiLanguage } from './i18n.ts';

/** A refused filter: `reversed`, the period runs backwards; `unknown`, the page has no such filter. */
export interface FilterIssue {
  field: string;
  reversed: boolean;
  unknown?: boolean;
}

export interface DashboardData {
  lang: UiLanguage;
  /** The filters in the form: as asked for, also when refused. */
  query: { from: string; to: string; unit: string; service: string };
  /** The filters the figures and the CSV downloads are for (the default ones when `query` was refused). */
  figures: { from: string; to: string; unit: string; service: string };
  /** The filters asked for, when they were not valid (the figures are then for the default ones). */
  rejected?: { from: string; to: string; issues: FilterIssue[] };
  kaiku: KaikuConfig;
  total: NpsReport;
  byMonth: NpsReport;
  byUnit: NpsReport;
  funnel: FunnelReport;
  byAgeBand: FunnelReport;
  byLanguage: FunnelReport;
  targets: TargetsReport;
  comments: CommentsReport;
}

/**
 * Every table in a box of its own that scrolls sideways, reachable by keyboard and named by the
 * table's caption (a region a screen reader can announce). Captions are escaped text already.
 */
function scrollingTables(html: string): string {
  return html
    .replace(/<table><caption>(.*?)<\/caption>/gs, (_, caption: string) => {
      const name = caption.replace(/<[^>]*>/g, '').replaceAll('"', '&quot;');
      return `<div class="table-scroll" tabindex="0" role="region" aria-label="${name}"><table><caption>${caption}</caption>`;
    })
    .replaceAll('</table>', '</table></div>');
}

function npsCell(t: Strings, minN: number, f: NpsFiguresRow, figure: string): string {
  if (f.suppressed) {
    const why = suppressedLabel(t, minN, f.suppression);
    return `<td data-figure="${esc(figure)}" data-suppressed="true">${esc(why)}</td><td>–</td>`;
  }
  return `<td data-figure="${esc(figure)}" data-value="${f.nps}">${f.nps}</td><td>${f.ci95?.[0]}…${f.ci95?.[1]}</td>`;
}

/** Why the filters were refused, in the page's language: each field by its label. */
function filterProblem(d: DashboardData, t: Strings): string {
  const labels: Record<string, string> = { from: t.from, to: t.to, unit: t.unit, service: t.service };
  const said = new Set<string>();
  for (const issue of d.rejected?.issues ?? []) {
    said.add(
      issue.reversed
        ? t.toBeforeFrom
        : issue.unknown
          ? `${issue.field}: ${t.notAFilter}`
          : `${labels[issue.field] ?? issue.field}: ${issue.field === 'from' || issue.field === 'to' ? t.notADay : t.notAChoice}`,
    );
  }
  return [...said].join('; ');
}

function filterForm(d: DashboardData, t: Strings): string {
  const option = (value: string, label: string, selected: string) =>
    `<option value="${esc(value)}"${value === selected ? ' selected' : ''}>${esc(label)}</option>`;
  const invalid = new Set(d.rejected?.issues.map((i) => i.field));
  // A refused field says so to assistive technology, and points at the message that says why.
  const state = (field: string) => (invalid.has(field) ? ' aria-invalid="true" aria-describedby="filters-error"' : '');
  // autocomplete off: a browser's Back otherwise puts back what was typed, over the filters the figures are for.
  return `<form method="get" action="/" class="filters" aria-labelledby="filters-h" autocomplete="off">
<h2 id="filters-h" class="visually-hidden">${esc(t.filters)}</h2>
<input type="hidden" name="lang" value="${d.lang}">
<div><label for="f-from">${esc(t.from)}</label><input id="f-from" name="from" type="date" value="${esc(d.query.from)}" required${state('from')}></div>
<div><label for="f-to">${esc(t.to)}</label><input id="f-to" name="to" type="date" value="${esc(d.query.to)}" required${state('to')}></div>
<div><label for="f-unit">${esc(t.unit)}</label><select id="f-unit" name="unit"${state('unit')}>${option('', t.all, d.query.unit)}${d.kaiku.units
    .map((u) => option(u.id, unitName(d, u.id), d.query.unit))
    .join('')}</select></div>
<div><label for="f-service">${esc(t.service)}</label><select id="f-service" name="service"${state('service')}>${option('', t.all, d.query.service)}${SERVICE_KINDS.map(
    (s) => option(s, t.services[s] ?? s, d.query.service),
  ).join('')}</select></div>
<button type="submit">${esc(t.show)}</button>
</form>${d.rejected ? `\n<p class="error" id="filters-error" role="alert">${esc(fill(t.filtersInvalid, { from: d.rejected.from, to: d.rejected.to, problem: filterProblem(d, t) }))}</p>` : ''}`;
}

function keyFigures(d: DashboardData, t: Strings): string {
  const total = d.total.total;
  const figure = (id: string, label: string, value: string, raw: unknown, note = '') =>
    `<div class="card"><dt>${esc(label)}</dt><dd data-figure="${id}" data-value="${esc(raw)}">${esc(value)}</dd>${note ? `<dd class="note">${esc(note)}</dd>` : ''}</div>`;
  // No answers at all is said so, not as a group too small to show (a dashboard probe).
  const nps = total.n === 0 ? t.noAnswers : total.suppressed ? fill(t.suppressed, { minN: d.total.minN }) : String(total.nps);
  return `<section aria-labelledby="kf-h"><h2 id="kf-h">${esc(t.keyFigures)}</h2><dl class="cards">
${figure('nps', t.nps, nps, total.suppressed ? '' : total.nps, total.suppressed ? '' : `${t.ci} ${total.ci95?.[0]}…${total.ci95?.[1]}`)}
${figure('answers', t.answers, formatCount(total.n, d.lang), total.n)}
${figure('response-rate', t.responseRate, formatShare(d.funnel.responseRate, d.lang), d.funnel.responseRate ?? '')}
${figure('comment-share', t.commentShare, formatShare(total.commentShare, d.lang), total.commentShare ?? '')}
${figure('target-share', fill(t.targetShare, { target: d.targets.targetNps }), `${formatShare(d.targets.targetShare, d.lang)} (${d.targets.unitsMeetingTarget}/${d.targets.unitsReported})`, d.targets.targetShare ?? '')}
${figure('coverage', t.coverage, `${formatShare(d.targets.coverage, d.lang)} (${d.targets.unitsWithAnswers}/${d.targets.enrolledUnits})`, d.targets.coverage ?? '')}
</dl></section>`;
}

/**
 * Every month from the first to the last given, `YYYY-MM` (the first and last months with answers:
 * a period of decades lists no empty decades before its answers).
 */
function monthsOf(first: string, last: string): string[] {
  const months: string[] = [];
  let [y, m] = [Number(first.slice(0, 4)), Number(first.slice(5, 7))];
  // (at most a century of months, whatever keys come: answers span years, not centuries)
  for (let i = 0; i < 1200; i++) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    months.push(month);
    if (month >= last) break;
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return months;
}

function trend(d: DashboardData, t: Strings): string {
  const target = d.targets.targetNps;
  // A month with no answers has its row and a gap in the line (a dashboard probe: the line went
  // straight from March to May, as if April had been between them).
  const byMonth = new Map(d.byMonth.rows.map((r) => [r.key.month, r]));
  const answered = [...byMonth.keys()].sort();
  const months = answered.length ? monthsOf(answered[0] as string, answered[answered.length - 1] as string) : [];
  const points = months.map((month) => {
    const r = byMonth.get(month);
    return { month, nps: !r || r.suppressed ? null : r.nps, lo: r?.ci95?.[0] ?? null, hi: r?.ci95?.[1] ?? null };
  });
  const rows = months
    .map((month) => {
      const r = byMonth.get(month);
      const figures = r
        ? npsCell(t, d.byMonth.minN, r, `month-nps:${month}`)
        : `<td data-figure="month-nps:${esc(month)}" data-value="">${esc(t.noAnswers)}</td><td>–</td>`;
      return `<tr><th scope="row">${esc(month)}</th><td>${formatCount(r?.n ?? 0, d.lang)}</td>${figures}</tr>`;
    })
    .join('');
  return `<section aria-labelledby="trend-h"><h2 id="trend-h">${esc(t.trend)}</h2>
<figure><div id="trend-chart" class="chart" data-label="${esc(fill(t.trendChart, { target }))}"></div>
${jsonBlock('trend-data', { points, target, labels: { nps: t.nps, ci: t.ci, target: t.target, month: t.month } })}
<table><caption>${esc(t.trend)}</caption><thead><tr><th scope="col">${esc(t.month)}</th><th scope="col">${esc(t.answers)}</th><th scope="col">${esc(t.nps)}</th><th scope="col">${esc(t.ci)}</th></tr></thead>
<tbody>${rows || `<tr><td colspan="4">${esc(t.noData)}</td></tr>`}</tbody></table></figure></section>`;
}

function unitsRanked(d: DashboardData, t: Strings): string {
  const target = d.targets.targetNps;
  const shown = d.byUnit.rows.filter((r) => !r.suppressed).sort((a, b) => (b.nps ?? 0) - (a.nps ?? 0));
  const hidden = d.byUnit.rows.filter((r) => r.suppressed);
  const x = (v: number) => 260 + ((v + 100) / 200) * 320;
  const rowH = 26;
  const height = shown.length * rowH + 30;
  const bars = shown
    .map((r, i) => {
      const y = 20 + i * rowH;
      const [lo, hi] = r.ci95 ?? [0, 0];
      return `${unitLabel(unitName(d, r.key.unit), y)}
<line x1="${x(lo)}" x2="${x(hi)}" y1="${y}" y2="${y}" class="ci"/><circle cx="${x(r.nps ?? 0)}" cy="${y}" r="5" class="point"/>
<text x="${x(hi) + 8}" y="${y + 5}">${r.nps}</text>`;
    })
    .join('');
  const axis = [-100, -50, 0, 50, 100]
    .map(
      (v) =>
        `<line x1="${x(v)}" x2="${x(v)}" y1="8" y2="${height - 14}" class="grid"/><text x="${x(v)}" y="${height - 2}" text-anchor="middle">${v}</text>`,
    )
    .join('');
  const svg = shown.length
    ? `<svg class="forest" viewBox="0 0 620 ${height}" role="img" aria-labelledby="units-desc"><desc id="units-desc">${esc(fill(t.unitsChart, { target }))}</desc>${axis}
<line x1="${x(target)}" x2="${x(target)}" y1="8" y2="${height - 14}" class="target"/>${bars}</svg>`
    : '';
  const rows = [...shown, ...hidden]
    .map(
      (r) =>
        `<tr><th scope="row">${esc(unitName(d, r.key.unit))}</th><td>${formatCount(r.n, d.lang)}</td>${npsCell(t, d.byUnit.minN, r, `unit-nps:${r.key.unit}`)}</tr>`,
    )
    .join('');
  return `<section aria-labelledby="units-h"><h2 id="units-h">${esc(t.units)}</h2><figure>${svg}
<table><caption>${esc(t.units)}</caption><thead><tr><th scope="col">${esc(t.unit)}</th><th scope="col">${esc(t.answers)}</th><th scope="col">${esc(t.nps)}</th><th scope="col">${esc(t.ci)}</th></tr></thead>
<tbody>${rows || `<tr><td colspan="4">${esc(t.noData)}</td></tr>`}</tbody></table></figure></section>`;
}

export function dashboardPage(d: DashboardData): string {
  const t = STRINGS[d.lang];
  const paramsOf = (q: DashboardData['query']) => {
    const params = new URLSearchParams({ from: q.from, to: q.to });
    if (q.unit) params.set('unit', q.unit);
    if (q.service) params.set('service', q.service);
    return params;
  };
  // The downloads hold the figures on the page; the other language shows the same form, refusal and all.
  const params = paramsOf(d.figures);
  params.set('lang', d.lang); // the file's separators follow the language's Excel
  const switchTo = (lang: UiLanguage) => {
    const switchParams = paramsOf(d.query);
    switchParams.set('lang', lang);
    return `<a href="/?${esc(switchParams.toString())}" lang="${lang}">${esc(LANGUAGE_LINKS[lang])}</a>`;
  };
  const csv = (name: string, extra = '') =>
    // Named for what it holds, in the page's language (an accessibility probe: "nps.csv", read in English).
    `<li><a href="/csv/${name}?${esc(params.toString())}${extra}" download>${esc(t.downloadNames[name] ?? name)} <span class="file">(${esc(name)}.csv)</span></a></li>`;
  return layout({
    lang: d.lang,
    title: t.title,
    skip: t.skip,
    header: `<p class="brand">Kaiku</p><nav aria-label="${esc(t.language)}">${otherLanguages(d.lang).map(switchTo).join(' ')}</nav>
<form method="post" action="/logout?lang=${d.lang}"><button type="submit" class="link">${esc(t.logout)}</button></form>`,
    // Each table scrolls sideways in its own box on a narrow screen, never the whole page (WCAG 1.4.10).
    body: scrollingTables(`<h1>${esc(t.heading)}</h1>
<p class="intro">${esc(fill(t.intro, { minN: d.total.minN }))}</p>
${filterForm(d, t)}
${keyFigures(d, t)}
${trend(d, t)}
${unitsRanked(d, t)}
${funnel(d, t)}
<div class="pair">${rateTable(d, t, d.byAgeBand, 'ageBand', t.byAgeBand, t.ageBand)}${rateTable(d, t, d.byLanguage, 'language', t.byLanguage, t.language)}</div>
${comments(d, t)}
<section aria-labelledby="dl-h"><h2 id="dl-h">${esc(t.downloads)}</h2><ul class="downloads">${csv('nps', '&amp;groupBy=unit,month')}${csv('funnel')}${csv('targets')}${csv('comments')}${csv('responses')}</ul></section>`),
    scripts: ['/assets/uplot.js', '/assets/dashboard.js'],
  });
}

/**
 * A unit's name beside its bar: one that does not fit the 250 px left of the axis is cut with an
 * ellipsis and given whole as its tooltip (a second county's probe: "Korsholms mödra- och
 * barnrådgivnin" read as a whole name); the table under the chart has it in full.
 */
function unitLabel(name: string, y: number): string {
  const cut = name.slice(0, LABEL_CHARS - 1);
  // At a word's end where one is near ("Vaasan äitiys- ja…", not "äitiys- j…").
  const wordEnd = cut.lastIndexOf(' ');
  const shown = name.length <= LABEL_CHARS ? name : `${(wordEnd >= LABEL_CHARS / 2 ? cut.slice(0, wordEnd) : cut).trimEnd()}…`;
  return `<text x="250" y="${y + 5}" text-anchor="end">${shown === name ? '' : `<title>${esc(name)}</title>`}${esc(shown)}</text>`;
}
const LABEL_CHARS = 34;
