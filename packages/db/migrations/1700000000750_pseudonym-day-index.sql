-- Up Migration
-- Ingest looks a patient's visits up by pseudonym and visit day (the same-day rule, "surveyed in the
-- last N days"), through (patient_pseudonym, ended_at): the day was a filter. Migration 740 added
-- an index of the day alone (visits that still hold a pseudonym, for the expiry job), and on small
-- tables the planner costed a look-up by day as cheap as one by pseudonym: the plans ingest keeps
-- per connection then read every visit of the event's day (a benchmark: 5-10 ms of Postgres per
-- MLLP message instead of 0.25). Now ingest's look-up has an index of both columns, and the expiry
-- job finds the visits that still hold a pseudonym by when they ended, which no look-up of ingest
-- asks for. Nothing looks visits up by pseudonym and ended_at.
CREATE INDEX visits_pseudonym_day_idx ON visits (patient_pseudonym, visit_day);
DROP INDEX visits_pseudonym_idx;
DROP INDEX visits_pseudonym_kept_idx;
CREATE INDEX visits_pseudonym_kept_idx ON visits (ended_at) WHERE patient_pseudonym IS NOT NULL;

-- Down Migration
DROP INDEX visits_pseudonym_kept_idx;
CREATE INDEX visits_pseudonym_kept_idx ON visits (visit_day) WHERE patient_pseudonym IS NOT NULL;
CREATE INDEX visits_pseudonym_idx ON visits (patient_pseudonym, ended_at);
DROP INDEX visits_pseudonym_day_idx;
