/**
 * A unit's id as Kaiku stores and compares it: its OID without the `urn:oid:` that FHIR writes
 * before it (any case), trimmed. Ingest, the config's units and the reports' `unit` filter all read
 * ids through this, so `urn:oid:1.2.246.…` and `1.2.246.…` name the same unit everywhere.
 */
export const unitIdOf = (id: string): string =>
  id
    .trim()
    .replace(/^urn:oid:/iu, '')
    .trim();
