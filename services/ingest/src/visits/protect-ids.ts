import { containsHetu, idHoldsPhone, type Keys, maskedIdOf, type VisitEvent } from '@kaiku/core';

/** A hetu or a phone number in an id field: a field mapped wrong at the source, or a date-stamped id by chance. */
const personal = (id: string) => containsHetu(id, { glued: true }) || idHoldsPhone(id);

/**
 * No hetu or phone number is stored in the clear, even where a record system put one in an id by
 * mistake, or where a date-stamped id looks like a hetu by chance ("LC-261101-0029"): a visit id
 * or unit id that holds one is stored as its keyed hash (the same for the same id, so cancels and
 * updates still find the visit, and a unit's rows still add up), an event id that holds one is
 * left out (it is only kept for tracing). Refusing them would lose real visits and, worse, their
 * cancellations.
 */
export function protectIds(event: VisitEvent, keys: Keys): VisitEvent {
  const maskVisit = event.visitId !== undefined && personal(event.visitId);
  const dropEventId = event.sourceEventId !== undefined && personal(event.sourceEventId);
  const maskUnit = idHoldsPhone(event.unit.id);
  if (!maskVisit && !dropEventId && !maskUnit) return event;
  const { sourceEventId, visitId, unit, ...rest } = event;
  return {
    ...rest,
    unit: maskUnit ? { ...unit, id: maskedIdOf(keys, unit.id) } : unit,
    ...(sourceEventId !== undefined && !dropEventId ? { sourceEventId } : {}),
    ...(visitId !== undefined ? { visitId: maskVisit ? maskedIdOf(keys, visitId) : visitId } : {}),
  };
}
