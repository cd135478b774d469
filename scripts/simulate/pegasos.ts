import { generateStream, PEGASOS_UNITS, type SimEvent, type StreamOptions } from './stream.ts';

/** One event as a Pegasos FHIR R4 Bundle (Finnish Base Profiles): an Encounter and its Patient. */
export function pegasosBundle(event: SimEvent): Record<string, unknown> {
  const p = event.patient;
  const patientUrl = `urn:uuid:${event.visitId}-patient`;
  const sfs = p.language.length === 2 && p.language !== 'en';
  return {
    resourceType: 'Bundle',
    id: event.eventId,
    type: 'collection',
    timestamp: new Date().toISOString(),
    entry: [
      {
        fullUrl: `urn:uuid:${event.visitId}-encounter`,
        resource: {
          resourceType: 'Encounter',
          id: event.visitId,
          identifier: [{ use: 'official', value: `urn:oid:1.2.246.10.1234567.14011.${event.visitId}` }],
          status: event.kind === 'visit-ended' ? 'finished' : 'entered-in-error',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
          serviceType: { coding: [{ system: 'urn:oid:1.2.246.537.6.49.201501', code: 'EE' }] },
          subject: { reference: patientUrl },
          period: { start: new Date(event.endedAt.getTime() - 1800_000).toISOString(), end: event.endedAt.toISOString() },
          serviceProvider: { identifier: { system: 'urn:oid:1.2.246.537.6.202.2008', value: event.unitId } },
        },
      },
      {
        fullUrl: patientUrl,
        resource: {
          resourceType: 'Patient',
          ...(p.nonDisclosure
            ? {
                meta: {
                  security: [
                    { system: 'https://hl7.fi/fhir/finnish-base-profiles/CodeSystem/fi-base-security-label-cs', code: 'TURVAKIELTO' },
                  ],
                },
              }
            : {}),
          identifier: [{ use: 'official', system: 'urn:oid:1.2.246.21', value: p.hetu }],
          name: [{ family: p.family, given: [p.given] }],
          telecom: p.phones.map((ph) => ({ system: 'phone', value: ph.number, use: ph.mobile ? 'mobile' : 'home' })),
          birthDate: p.birthDate,
          ...(p.deceased ? { deceasedBoolean: true } : {}),
          communication: [
            {
              language: {
                coding: [
                  sfs
                    ? { system: 'urn:oid:1.2.246.537.5.40175', code: p.language.toUpperCase() }
                    : { system: 'urn:ietf:bcp:47', code: p.language },
                ],
              },
              preferred: true,
            },
          ],
        },
      },
    ],
  };
}

/** A realistic Pegasos stream as FHIR Bundles (see generateStream for the mix). */
export function generatePegasosBundles(options: StreamOptions): Array<Record<string, unknown>> {
  return generateStream({ units: PEGASOS_UNITS, ...options }).map(pegasosBundle);
}
