-- Up Migration
-- A visit's patient pseudonym only serves "not surveyed in the last N days" and the same-day rule,
-- yet it was kept for good (a soak probe). The replies service's expiry job now erases it once the
-- visit is older than those rules look back; this index finds the visits that still have one.
CREATE INDEX visits_pseudonym_kept_idx ON visits (visit_day) WHERE patient_pseudonym IS NOT NULL;

-- Down Migration
DROP INDEX visits_pseudonym_kept_idx;
