-- Up Migration
-- A visit of a unit the config does not list (skipped `unit-not-enrolled`) was stored with the
-- service `other`, the config's own service for mental health and the like, so the funnel by service
-- counted such visits among that service's (an analyst probe: `other` received 27, its one unit 25).
-- Ingest now stores them as `unknown`; the visits and funnel rows of units none of whose visits was
-- ever surveyed, one at least skipped as not enrolled, move too (a regression probe: an unlisted
-- unit's visits skipped for a reason checked first, `under-age` or `stale-visit`, had kept it under
-- `other`). A unit enrolled later, as `other`, and surveyed since keeps its rows as they are. Those
-- visits never had a text, so the answer rollups hold nothing of them.
CREATE TEMP TABLE unknown_units ON COMMIT DROP AS
SELECT v.unit_id
  FROM visits v JOIN invitations i ON i.visit_id = v.id
 GROUP BY v.unit_id
HAVING bool_and(i.status = 'skipped') AND bool_or(i.skip_reason = 'unit-not-enrolled') AND bool_and(v.service = 'other');

UPDATE visits SET service = 'unknown' WHERE service = 'other' AND unit_id IN (SELECT unit_id FROM unknown_units);
UPDATE funnel_daily SET service = 'unknown' WHERE service = 'other' AND unit_id IN (SELECT unit_id FROM unknown_units);
UPDATE funnel_monthly SET service = 'unknown' WHERE service = 'other' AND unit_id IN (SELECT unit_id FROM unknown_units);

-- Down Migration
UPDATE visits SET service = 'other' WHERE service = 'unknown';
UPDATE funnel_daily SET service = 'other' WHERE service = 'unknown';
UPDATE funnel_monthly SET service = 'other' WHERE service = 'unknown';
