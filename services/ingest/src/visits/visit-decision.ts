import type { KaikuConfig, UnitConfig } from '@kaiku/config';
import {
  assessVisit,
  isLanguage,
  type Keys,
  phoneHashOf,
  pseudonymOf,
  type SkipReason,
  sendTimeFor,
  uniformFromKey,
  type VisitEvent,
  type VisitFacts,
} from '@kaiku/core';
import type { NewVisit } from './visit.repository.ts';

const DAY = 86_400_000;

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

export interface PhoneFacts {
  optedOut: boolean;
  language: string | null;
}

export interface RecentInvitation {
  id: string;
  status: string;
  visit_day: string;
  ended_at: Date;
}

export type Decision = { skip: SkipReason; language: string } | { skip: null; language: string; superseded: string[]; sendAt: Date };

/**
 * The pure half of handling a visit-ended event, shared by the one-visit and the batch paths so
 * that both decide alike: `prepare` before any query, `decide` from what the queries found.
 */
export function createVisitRules(deps: { kaiku: KaikuConfig; keys: Keys }) {
  const units = new Map<string, UnitConfig>(deps.kaiku.units.map((u) => [u.id, u]));
  const survey = deps.kaiku.survey;
  const policy = { ...survey, timezone: deps.kaiku.timezone };

  /** Throws InvalidVisitError for an event that can't be used. */
  function prepare(event: VisitEvent, visitId: string, at: Date): PreparedVisit {
    const unit = units.get(event.unit.id);
    const sampleDraw = uniformFromKey(deps.keys, `${event.source}:${visitId}`);
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
        service: unit?.service ?? 'other',
        serviceClass: event.service?.class ?? null,
        endedAt,
        visitDay: facts.visitDay,
        language: facts.language,
        ageBand: facts.ageBand,
        pseudonym,
      },
      phoneHash: facts.mobile ? phoneHashOf(deps.keys, facts.mobile) : null,
      since: new Date(endedAt.getTime() - survey.resurveyAfterDays * DAY).toISOString().slice(0, 10),
    };
  }

  /** Whether the number's facts are needed (the rules have not skipped the visit already). */
  const needsPhone = (p: PreparedVisit) => !p.facts.skip && p.phoneHash !== null;
  /** Whether the patient's recent invitations are needed. */
  const needsRecent = (p: PreparedVisit, phone: PhoneFacts | null) => !p.facts.skip && !phone?.optedOut && p.pseudonym !== null;

  /** `recent`: the patient's live invitations since `p.since`, in the order of their visits' end. */
  function decide(p: PreparedVisit, phone: PhoneFacts | null, recent: RecentInvitation[]): Decision {
    let skip: SkipReason | null = p.facts.skip;
    if (!skip && phone?.optedOut) skip = 'opted-out';
    const superseded: string[] = [];
    if (!skip) {
      for (const other of recent) {
        if (other.visit_day === p.facts.visitDay) {
          // Of one patient's visits on the same day only the last is surveyed.
          if (other.status === 'scheduled' && other.ended_at <= p.endedAt) superseded.push(other.id);
          else skip = 'same-day-visit';
        } else {
          skip = 'recently-surveyed';
        }
        if (skip) break;
      }
    }
    if (skip) return { skip, language: p.facts.language };
    const chosen = phone?.language; // the patient's own choice by SMS outranks the record
    const language = isLanguage(chosen) ? chosen : p.facts.language;
    return { skip: null, language, superseded, sendAt: sendAt(p) };
  }

  /** When the text is sent, if it is sent. */
  const sendAt = (p: PreparedVisit) => sendTimeFor(p.endedAt, p.at, policy);

  return { prepare, needsPhone, needsRecent, decide, sendAt };
}
export type VisitRules = ReturnType<typeof createVisitRules>;
