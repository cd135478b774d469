import type { KaikuConfig, UnitConfig } from '@kaiku/config';
import {
  assessVisit,
  type Keys,
  phoneHashOf,
  pseudonymOf,
  sendTimeFor,
  uniformFromKey,
  type VisitEvent,
  type VisitFacts,
} from '@kaiku/core';
import type { NewVisit } from './visit.repository.ts';

/**
 * The first visit day whose survey still counts as recent. Days are the county's calendar days (a
 * visit at 01:30 belongs to its local day, not to the UTC one before), and the window is kept
 * whole: a patient surveyed for a visit on 1 June is next surveyed for one on 2 July (with 30), so
 * never within the last `days` days. With 0, only the same day counts (the same-day rule).
 */
export function resurveySince(visitDay: string, days: number): string {
  const day = new Date(`${visitDay}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - Math.max(0, days));
  return day.toISOString().slice(0, 10);
}

/** A visit-ended event after the pure steps (rules, pseudonym, hash): what the database steps need. */
export interface PreparedVisit {
  event: VisitEvent;
  visitId: string;
  at: Date;
  facts: VisitFacts;
  pseudonym: string | null;
  endedAt: Date;
  visit: NewVisit;
  phoneHash: string | null;
  /** The first visit day whose invitation still counts as recent (resurvey window). */
  since: string;
}

/**
 * The pure half of handling a visit-ended event, shared by the one-visit and the many-visit paths
 * so that both decide alike: `prepare` before any query; what needs the database is decided in
 * SQL (kaiku_ingest_visit_ended, kaiku_ingest_visits_ended).
 */
export function createVisitRules(deps: { kaiku: KaikuConfig; keys: Keys }) {
  const units = new Map<string, UnitConfig>(deps.kaiku.units.map((u) => [u.id, u]));
  const survey = deps.kaiku.survey;
  const policy = { ...survey, timezone: deps.kaiku.timezone };

  /** Throws InvalidVisitError for an event that can't be used. */
  function prepare(event: VisitEvent, visitId: string, at: Date): PreparedVisit {
    const unit = units.get(event.unit.id);
    // The draw only matters for an enrolled unit that samples (a draw is always below 1).
    const sampleDraw = unit && unit.sampling < 1 ? uniformFromKey(deps.keys, `${event.source}:${visitId}`) : 0;
    const facts = assessVisit(
      event,
      { enrolled: Boolean(unit), sensitive: unit?.sensitive ?? false, sampling: unit?.sampling ?? 0 },
      policy,
      at,
      sampleDraw,
    );
    const pseudonym = facts.personalId ? pseudonymOf(deps.keys, facts.personalId) : null;
    const endedAt = new Date(event.endedAt as string);
    return {
      event,
      visitId,
      at,
      facts,
      pseudonym,
      endedAt,
      visit: {
        source: event.source,
        sourceVisitId: visitId,
        sourceEventId: event.sourceEventId ?? null,
        unitId: event.unit.id,
        // a unit the config does not list (skipped unit-not-enrolled): no service of the county's
        service: unit?.service ?? 'unknown',
        serviceClass: event.service?.class ?? null,
        endedAt,
        visitDay: facts.visitDay,
        language: facts.language,
        ageBand: facts.ageBand,
        pseudonym,
      },
      phoneHash: facts.mobile ? phoneHashOf(deps.keys, facts.mobile) : null,
      since: resurveySince(facts.visitDay, survey.resurveyAfterDays),
    };
  }

  /** When the text is sent, if it is sent. */
  const sendAt = (p: PreparedVisit) => sendTimeFor(p.endedAt, p.at, policy);

  return { prepare, sendAt };
}
export type VisitRules = ReturnType<typeof createVisitRules>;
