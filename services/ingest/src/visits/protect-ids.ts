import { containsHetu, type Keys, maskedIdOf, type VisitEvent } from '@kaiku/core';

/**
 * No hetu is stored, even where a record system put one by mistake, or where a date-stamped id
 * looks like one by chance ("LC-261101-0029"): a visit id that holds one is stored as its keyed
 * hash (the same for the same id, so cancels and updates still find the visit), an event id that
 * holds one is left out (it is only kept for tracing). Refusing them would lose real visits and,
 * worse, their cancellations.
 */
export function protectIds(event: VisitEvent, keys: Keys): VisitEvent {
  const maskVisit = event.visitId !== undefined && containsHetu(event.visitId, { glued: true });
  const dropEventId = event.sourceEventId !== undefined && containsHetu(event.sourceEventId, { glued: true });
  if (!maskVisit && !dropEventId) return event;
  const { sourceEventId, visitId, ...rest } = event;
  return {
    ...rest,
    ...(sourceEventId !== undefined && !dropEventId ? { sourceEventId } : {}),
    ...(visitId !== undefined ? { visitId: maskVisit ? maskedIdOf(keys, visitId) : visitId } : {}),
  };
}
