import type { FunnelReport } from '../reports/funnel.report.ts';
import type { DashboardData } from './dashboard.page.ts';
import { esc } from './html.ts';
import { fill, formatCount, formatShare, type Strings } from './i18n.ts';

// The dashboard's funnel, response-rate and comment sections, and what the page's other sections share with them.

export function unitName(d: DashboardData, id: string | undefined): string {
  const unit = d.kaiku.units.find((u) => u.id === id);
  if (!unit) return id ?? '';
  return (d.lang === 'fi' ? undefined : unit.name[d.lang]) ?? unit.name.fi;
}

/** Why a figure is not shown: its own group is small, or it protects a small one (complementary). */
export function suppressedLabel(t: Strings, minN: number, suppression: string | undefined): string {
  return suppression === 'complementary' ? t.suppressedComplementary : fill(t.suppressed, { minN });
}

export function bar(share: number | null): string {
  const w = Math.max(0, Math.min(1, share ?? 0)) * 100;
  return `<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect width="100" height="10" class="track"/><rect width="${w.toFixed(1)}" height="10" class="fill"/></svg>`;
}

export function funnel(d: DashboardData, t: Strings): string {
  const f = d.funnel;
  const stages: Array<[string, string, number]> = [
    ['received', t.received, f.received],
    ['eligible', t.eligible, f.eligible],
    ...Object.entries(f.skipped).map(([reason, n]): [string, string, number] => [
      `skipped:${reason}`,
      fill(t.skipped, { reason: t.skipReasons[reason] ?? reason }),
      n,
    ]),
    ['cancelled', t.cancelled, f.cancelled],
    ['failed', t.failed, f.failed],
    ['waiting', t.waiting, f.waiting],
    ['sent', t.sent, f.sent],
    ['delivered', t.delivered, f.delivered],
    ['answered', t.answered, f.answered],
    ['commented', t.commented, f.commented],
  ];
  const rows = stages
    .map(([id, label, n]) => {
      const share = f.received ? n / f.received : null;
      return `<tr${id.startsWith('skipped:') ? ' class="sub"' : ''}><th scope="row">${esc(label)}</th><td data-figure="funnel:${esc(id)}" data-value="${n}">${formatCount(n, d.lang)}</td><td>${formatShare(share === null ? null : Math.round(share * 1000) / 1000, d.lang)}</td><td class="barcell">${bar(share)}</td></tr>`;
    })
    .join('');
  return `<section aria-labelledby="funnel-h"><h2 id="funnel-h">${esc(t.funnel)}</h2>
<table><caption>${esc(t.funnel)} – ${esc(t.responseRate)} ${esc(formatShare(f.responseRate, d.lang))}</caption>
<thead><tr><th scope="col">${esc(t.stage)}</th><th scope="col">${esc(t.count)}</th><th scope="col">${esc(t.shareOfReceived)}</th><th scope="col"><span class="visually-hidden">${esc(t.barColumn)}</span></th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

export function rateTable(
  d: DashboardData,
  t: Strings,
  r: FunnelReport,
  dim: 'ageBand' | 'language',
  title: string,
  dimLabel: string,
): string {
  const rows = ('rows' in r ? r.rows : [])
    .map((row) => {
      const key = row.key[dim] ?? '';
      const rate = 'responseRate' in row ? row.responseRate : null;
      const why = 'suppression' in row ? row.suppression : undefined;
      const value = row.suppressed ? esc(suppressedLabel(t, r.minN, why)) : esc(formatShare(rate, d.lang));
      return `<tr><th scope="row">${esc(t.keys[key] ?? key)}</th><td>${formatCount(row.delivered, d.lang)}</td><td data-figure="rate-${dim}:${esc(key)}" data-value="${rate ?? ''}">${value}</td><td class="barcell">${bar(rate)}</td></tr>`;
    })
    .join('');
  return `<section aria-labelledby="${dim}-h" class="half"><h2 id="${dim}-h">${esc(title)}</h2>
<table><caption>${esc(title)}</caption><thead><tr><th scope="col">${esc(dimLabel)}</th><th scope="col">${esc(t.delivered)}</th><th scope="col">${esc(t.responseRate)}</th><th scope="col"><span class="visually-hidden">${esc(t.barColumn)}</span></th></tr></thead>
<tbody>${rows || `<tr><td colspan="4">${esc(t.noData)}</td></tr>`}</tbody></table></section>`;
}

export function comments(d: DashboardData, t: Strings): string {
  const items = d.comments.comments
    .map(
      (c) =>
        `<li><blockquote lang="${esc(c.language)}">${esc(c.comment)}</blockquote><p class="meta"><span class="band band-${c.scoreBand}">${esc(t[c.scoreBand])}</span> · ${esc(unitName(d, c.unit))} · ${esc(c.month)}</p></li>`,
    )
    .join('');
  const withheld = d.comments.withheldUnitMonths ? `<p class="note">${esc(fill(t.commentsWithheld, { minN: d.comments.minN }))}</p>` : '';
  return `<section aria-labelledby="comments-h"><h2 id="comments-h">${esc(t.comments)}</h2>${items ? `<ul class="comments">${items}</ul>` : `<p>${esc(t.noComments)}</p>`}${withheld}</section>`;
}
