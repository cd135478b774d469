import type { KaikuConfig } from '@kaiku/config';
import { npsFigures, shareOf } from '@kaiku/core';
import type { Pool } from '@kaiku/db';
import { answerCounts } from './nps.report.ts';
import { effectiveMinN, type ReportQuery } from './report-query.ts';

/**
 * How many units reach the strategic NPS target (among units with at least minN answers), and
 * coverage: the share of enrolled units (KAIKU_CONFIG) that received any answer in the period. A
 * unit no visit of which is surveyed (`sampling: 0`, a paused unit; a sensitive unit with
 * `excludeSensitiveUnits`) counts only when it has answers (it was paused during the period).
 * Aggregates only: no unit's figures, so nothing here undoes suppression in the NPS report.
 */
export async function targetsReport(pool: Pool, q: ReportQuery, kaiku: KaikuConfig) {
  const minN = effectiveMinN(q, kaiku.reporting.minN);
  const targetNps = q.targetNps ?? kaiku.reporting.targetNps;
  const units = await answerCounts(pool, q, ['unit']);
  const answeredUnits = new Set(units.map((u) => u.key.unit));
  const surveyed = (u: KaikuConfig['units'][number]) => u.sampling > 0 && !(u.sensitive && kaiku.survey.excludeSensitiveUnits);
  const enrolled = kaiku.units.filter(
    (u) =>
      (q.unit.length === 0 || q.unit.includes(u.id)) &&
      (q.service.length === 0 || q.service.includes(u.service)) &&
      (surveyed(u) || answeredUnits.has(u.id)),
  );
  const reported = units.filter((u) => u.counts.promoters + u.counts.passives + u.counts.detractors >= minN);
  const meeting = reported.filter((u) => (npsFigures(u.counts)?.nps ?? -101) >= targetNps);
  const withAnswers = enrolled.filter((u) => answeredUnits.has(u.id)).length;
  return {
    from: q.from,
    to: q.to,
    minN,
    targetNps,
    unitsReported: reported.length,
    unitsMeetingTarget: meeting.length,
    targetShare: shareOf(meeting.length, reported.length),
    enrolledUnits: enrolled.length,
    unitsWithAnswers: withAnswers,
    coverage: shareOf(withAnswers, enrolled.length),
  };
}
export type TargetsReport = Awaited<ReturnType<typeof targetsReport>>;
