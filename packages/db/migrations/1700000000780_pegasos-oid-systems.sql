-- Up Migration
-- A Pegasos encounter number is kept with its system (system|value). The same OID written bare
-- (1.2.246.…) and as a URI (urn:oid:1.2.246.…) made two ids for one visit: a cancel written the
-- other way matched nothing. Ingest now writes the URI form; ids stored with a bare OID take it
-- too, unless that would collide with one already stored in the URI form (then both stay).
UPDATE visits v SET source_visit_id = 'urn:oid:' || v.source_visit_id
 WHERE v.source = 'pegasos' AND v.source_visit_id ~ '^[0-2](\.[0-9]+)+\|'
   AND NOT EXISTS (SELECT 1 FROM visits w WHERE w.source = 'pegasos' AND w.source_visit_id = 'urn:oid:' || v.source_visit_id);
UPDATE visit_cancellations c SET source_visit_id = 'urn:oid:' || c.source_visit_id
 WHERE c.source = 'pegasos' AND c.source_visit_id ~ '^[0-2](\.[0-9]+)+\|'
   AND NOT EXISTS (SELECT 1 FROM visit_cancellations d WHERE d.source = 'pegasos' AND d.source_visit_id = 'urn:oid:' || c.source_visit_id);

-- Down Migration
-- (the bare form is not restored: the ids read the same either way from now on)
SELECT 1;
