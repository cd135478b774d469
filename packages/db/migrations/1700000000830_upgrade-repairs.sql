-- Up Migration
-- Repairs for a county upgrading with live data (an upgrade probe):
--
-- 1. Deaths reported before migration 820 kept only their skip (`deceased`) on the visit's
--    survey; `deceased_patients` started empty, so an older visit of such a patient sent after the
--    upgrade texted the family. The patients those skips name (while their visits still hold the
--    pseudonym) are recorded now.
INSERT INTO deceased_patients (patient_pseudonym, recorded_at)
SELECT v.patient_pseudonym, min(i.updated_at)
  FROM invitations i JOIN visits v ON v.id = i.visit_id
 WHERE (i.skip_reason = 'deceased' OR i.withdrawn_reason = 'deceased') AND v.patient_pseudonym IS NOT NULL
 GROUP BY v.patient_pseudonym
ON CONFLICT (patient_pseudonym) DO NOTHING;

-- 2. Pegasos encounter numbers whose OID system was stored with its prefix in capitals
--    (`URN:OID:…`, before migration 780 read it), or bare by an ingest of an earlier release still
--    running after 780: the form ingest writes now (`urn:oid:…`), so that a cancel finds its visit
--    and the visit sent again is a duplicate (as 780, never making two rows one: of two old forms of
--    one id, `URN:OID:…` and bare, the one stored first takes it; a regression probe).
WITH old AS (
  SELECT id, 'urn:oid:' || regexp_replace(source_visit_id, '^urn:oid:', '', 'i') AS target, received_at
    FROM visits
   WHERE source = 'pegasos' AND source_visit_id ~* '^(urn:oid:)?[0-2](\.[0-9]+)+\|' AND source_visit_id !~ '^urn:oid:'
), first AS (
  SELECT DISTINCT ON (target) id, target FROM old ORDER BY target, received_at, id
)
UPDATE visits v SET source_visit_id = f.target
  FROM first f
 WHERE v.id = f.id AND NOT EXISTS (SELECT 1 FROM visits w WHERE w.source = 'pegasos' AND w.source_visit_id = f.target);
WITH old AS (
  SELECT source_visit_id, 'urn:oid:' || regexp_replace(source_visit_id, '^urn:oid:', '', 'i') AS target, received_at
    FROM visit_cancellations
   WHERE source = 'pegasos' AND source_visit_id ~* '^(urn:oid:)?[0-2](\.[0-9]+)+\|' AND source_visit_id !~ '^urn:oid:'
), first AS (
  SELECT DISTINCT ON (target) source_visit_id, target FROM old ORDER BY target, received_at, source_visit_id
)
UPDATE visit_cancellations c SET source_visit_id = f.target
  FROM first f
 WHERE c.source = 'pegasos' AND c.source_visit_id = f.source_visit_id
   AND NOT EXISTS (SELECT 1 FROM visit_cancellations d WHERE d.source = 'pegasos' AND d.source_visit_id = f.target);

-- Down Migration
-- (nothing to undo: the deaths stay known, and the ids read the same either way)
SELECT 1;
