import { containsHetu, containsUnsignedHetu, idHoldsEmail, idHoldsPhone, type Keys, maskedIdOf, type VisitEvent } from '@kaiku/core';

/** A phone number or an e-mail address in a code Kaiku stores (a unit or a service code). */
const contactIn = (id: string) => idHoldsPhone(id) || idHoldsEmail(id);
/**
 * A hetu (with its sign or without: "V010181900C"), a phone number or an e-mail address in a visit
 * or event id: a field mapped wrong at the source, or a date-stamped id that looks like a hetu by chance.
 */
const personal = (id: string) => containsHetu(id, { glued: true }) || containsUnsignedHetu(id) || contactIn(id);

/**
 * No hetu, phone number or e-mail address is stored in the clear, even where a record system put
 * one in an id by mistake, or where a date-stamped id looks like a hetu by chance ("LC-261101-0029"):
 * a visit id, unit id or service code that holds one is stored as its keyed hash (the same for the
 * same id, so cancels and updates still find the visit, and a unit's rows still add up), an event
 * id that holds one is left out (it is only kept for tracing). Refusing them would lose real visits
 * and, worse, their cancellations. (A unit or service code with a hetu is refused by the schema.)
 */
/** A visit id as it is stored and logged: its keyed hash when it holds personal data. */
export const protectedVisitId = (id: string, keys: Keys): string => (personal(id) ? maskedIdOf(keys, id) : id);

export function protectIds(event: VisitEvent, keys: Keys): VisitEvent {
  const maskVisit = event.visitId !== undefined && personal(event.visitId);
  const dropEventId = event.sourceEventId !== undefined && personal(event.sourceEventId);
  const maskUnit = contactIn(event.unit.id);
  const service = event.service;
  const maskClass = service?.class !== undefined && contactIn(service.class);
  const maskType = service?.type !== undefined && contactIn(service.type);
  if (!maskVisit && !dropEventId && !maskUnit && !maskClass && !maskType) return event;
  const { sourceEventId, visitId, unit, ...rest } = event;
  const masked = (id: string, mask: boolean) => (mask ? maskedIdOf(keys, id) : id);
  return {
    ...rest,
    unit: { ...unit, id: masked(unit.id, maskUnit) },
    ...(service
      ? {
          service: {
            ...(service.class !== undefined ? { class: masked(service.class, maskClass) } : {}),
            ...(service.type !== undefined ? { type: masked(service.type, maskType) } : {}),
          },
        }
      : {}),
    ...(sourceEventId !== undefined && !dropEventId ? { sourceEventId } : {}),
    ...(visitId !== undefined ? { visitId: masked(visitId, maskVisit) } : {}),
  };
}
