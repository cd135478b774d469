-- Up Migration
-- Reporting rollups, kept exact by triggers in the same transaction as the rows they count.
--
-- funnel_daily: per visit day and reporting dimensions, how many visits got an eligibility decision
-- (received), how many invitations are skipped now (by reason) and how many are cancelled now.
-- Maintained from `invitations` alone, so the ingest, sender and replies code need not know it.
-- Rows with skip_reason = '' carry received and cancelled; rows with a reason carry skipped.
CREATE TABLE funnel_daily (
  day date NOT NULL,
  unit_id text NOT NULL,
  service text NOT NULL,
  language text NOT NULL,
  age_band text NOT NULL,
  source text NOT NULL,
  skip_reason text NOT NULL,
  received integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  cancelled integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, unit_id, service, language, age_band, source, skip_reason)
);

-- The same per calendar month (month = its first day): a 12-month report reads ~30x fewer rows.
CREATE TABLE funnel_monthly (LIKE funnel_daily INCLUDING DEFAULTS);
ALTER TABLE funnel_monthly RENAME COLUMN day TO month;
ALTER TABLE funnel_monthly ADD PRIMARY KEY (month, unit_id, service, language, age_band, source, skip_reason);

CREATE TABLE nps_monthly (LIKE nps_daily INCLUDING DEFAULTS);
ALTER TABLE nps_monthly RENAME COLUMN day TO month;
ALTER TABLE nps_monthly ADD PRIMARY KEY (month, unit_id, service, language, age_band, source);

-- Adds one invitation state (signed) to funnel_daily and funnel_monthly, rows locked in key order.
CREATE FUNCTION kaiku_funnel_bump(p_visit uuid, p_status text, p_reason text, p_received int, p_sign int)
RETURNS void LANGUAGE sql AS $$
  WITH v AS (
    SELECT visit_day AS day, unit_id, service, language, coalesce(age_band, 'unknown') AS age_band, source
    FROM visits WHERE id = p_visit
  ), d AS (
    SELECT v.*, '' AS skip_reason, p_received * p_sign AS received, 0 AS skipped,
           (CASE WHEN p_status = 'cancelled' THEN p_sign ELSE 0 END) AS cancelled FROM v
    WHERE p_received <> 0 OR p_status = 'cancelled'
    UNION ALL
    SELECT v.*, coalesce(p_reason, 'unspecified'), 0, p_sign, 0 FROM v WHERE p_status = 'skipped'
  ), daily AS (
    INSERT INTO funnel_daily AS f (day, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled)
    SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (day, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET
      received = f.received + EXCLUDED.received, skipped = f.skipped + EXCLUDED.skipped, cancelled = f.cancelled + EXCLUDED.cancelled
  )
  INSERT INTO funnel_monthly AS f (month, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled)
  SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled
  FROM d ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (month, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET
    received = f.received + EXCLUDED.received, skipped = f.skipped + EXCLUDED.skipped, cancelled = f.cancelled + EXCLUDED.cancelled
$$;

-- New invitations, one aggregated upsert per statement (a 1,000-row batch or a COPY costs one).
CREATE FUNCTION kaiku_funnel_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS (
    SELECT v.visit_day AS day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown') AS age_band, v.source,
           '' AS skip_reason, count(*)::int AS received, 0 AS skipped, (count(*) FILTER (WHERE r.status = 'cancelled'))::int AS cancelled
    FROM new_rows r JOIN visits v ON v.id = r.visit_id GROUP BY 1, 2, 3, 4, 5, 6
    UNION ALL
    SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source,
           coalesce(r.skip_reason, 'unspecified'), 0, count(*)::int, 0
    FROM new_rows r JOIN visits v ON v.id = r.visit_id WHERE r.status = 'skipped' GROUP BY 1, 2, 3, 4, 5, 6, 7
  ), daily AS (
    INSERT INTO funnel_daily AS f (day, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled)
    SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (day, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET
      received = f.received + EXCLUDED.received, skipped = f.skipped + EXCLUDED.skipped, cancelled = f.cancelled + EXCLUDED.cancelled
  )
  INSERT INTO funnel_monthly AS f (month, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled)
  SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source, skip_reason,
         sum(received), sum(skipped), sum(cancelled)
  FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (month, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET
    received = f.received + EXCLUDED.received, skipped = f.skipped + EXCLUDED.skipped, cancelled = f.cancelled + EXCLUDED.cancelled;
  RETURN NULL;
END $$;

-- A status change into or out of skipped/cancelled, or a deleted invitation.
CREATE FUNCTION kaiku_funnel_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM kaiku_funnel_bump(OLD.visit_id, OLD.status, OLD.skip_reason, CASE WHEN TG_OP = 'DELETE' THEN 1 ELSE 0 END, -1);
  IF TG_OP = 'UPDATE' THEN
    PERFORM kaiku_funnel_bump(NEW.visit_id, NEW.status, NEW.skip_reason, CASE WHEN OLD.visit_id <> NEW.visit_id THEN 1 ELSE 0 END, 1);
    IF OLD.visit_id <> NEW.visit_id THEN
      PERFORM kaiku_funnel_bump(OLD.visit_id, 'moved', NULL, 1, -1);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER invitations_funnel_insert AFTER INSERT ON invitations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kaiku_funnel_on_insert();
-- Only changes into or out of skipped/cancelled move a funnel figure; the sender's and replies'
-- updates (sending, sent, delivered, answered …) do not fire it.
CREATE TRIGGER invitations_funnel_update AFTER UPDATE OF status, skip_reason, visit_id ON invitations
  FOR EACH ROW
  WHEN ((OLD.status, OLD.skip_reason, OLD.visit_id) IS DISTINCT FROM (NEW.status, NEW.skip_reason, NEW.visit_id)
        AND (OLD.status IN ('skipped', 'cancelled') OR NEW.status IN ('skipped', 'cancelled') OR OLD.visit_id <> NEW.visit_id))
  EXECUTE FUNCTION kaiku_funnel_on_change();
CREATE TRIGGER invitations_funnel_delete AFTER DELETE ON invitations
  FOR EACH ROW EXECUTE FUNCTION kaiku_funnel_on_change();

-- nps_monthly follows nps_daily statement by statement (INSERT … ON CONFLICT fires both the
-- insert and the update trigger, each with its own rows).
CREATE FUNCTION kaiku_nps_monthly_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO nps_monthly AS m (month, unit_id, service, language, age_band, source, sent, delivered, promoters, passives, detractors, comments)
    SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source,
           sum(sent), sum(delivered), sum(promoters), sum(passives), sum(detractors), sum(comments)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (month, unit_id, service, language, age_band, source) DO UPDATE SET
      sent = m.sent + EXCLUDED.sent, delivered = m.delivered + EXCLUDED.delivered, promoters = m.promoters + EXCLUDED.promoters,
      passives = m.passives + EXCLUDED.passives, detractors = m.detractors + EXCLUDED.detractors, comments = m.comments + EXCLUDED.comments;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO nps_monthly AS m (month, unit_id, service, language, age_band, source, sent, delivered, promoters, passives, detractors, comments)
    SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source,
           sum(sent), sum(delivered), sum(promoters), sum(passives), sum(detractors), sum(comments)
    FROM (SELECT day, unit_id, service, language, age_band, source, sent, delivered, promoters, passives, detractors, comments FROM new_rows
          UNION ALL
          SELECT day, unit_id, service, language, age_band, source, -sent, -delivered, -promoters, -passives, -detractors, -comments
          FROM old_rows) x
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(sent) <> 0 OR sum(delivered) <> 0 OR sum(promoters) <> 0 OR sum(passives) <> 0 OR sum(detractors) <> 0 OR sum(comments) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (month, unit_id, service, language, age_band, source) DO UPDATE SET
      sent = m.sent + EXCLUDED.sent, delivered = m.delivered + EXCLUDED.delivered, promoters = m.promoters + EXCLUDED.promoters,
      passives = m.passives + EXCLUDED.passives, detractors = m.detractors + EXCLUDED.detractors, comments = m.comments + EXCLUDED.comments;
  ELSE
    INSERT INTO nps_monthly AS m (month, unit_id, service, language, age_band, source, sent, delivered, promoters, passives, detractors, comments)
    SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source,
           -sum(sent), -sum(delivered), -sum(promoters), -sum(passives), -sum(detractors), -sum(comments)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (month, unit_id, service, language, age_band, source) DO UPDATE SET
      sent = m.sent + EXCLUDED.sent, delivered = m.delivered + EXCLUDED.delivered, promoters = m.promoters + EXCLUDED.promoters,
      passives = m.passives + EXCLUDED.passives, detractors = m.detractors + EXCLUDED.detractors, comments = m.comments + EXCLUDED.comments;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER nps_daily_monthly_insert AFTER INSERT ON nps_daily
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kaiku_nps_monthly_on_change();
CREATE TRIGGER nps_daily_monthly_update AFTER UPDATE ON nps_daily
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kaiku_nps_monthly_on_change();
CREATE TRIGGER nps_daily_monthly_delete AFTER DELETE ON nps_daily
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kaiku_nps_monthly_on_change();

-- Backfill from what is already there (a no-op on a new database).
INSERT INTO funnel_daily (day, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled)
SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source, '',
       count(*), 0, count(*) FILTER (WHERE i.status = 'cancelled')
FROM invitations i JOIN visits v ON v.id = i.visit_id GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO funnel_daily (day, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled)
SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source,
       coalesce(i.skip_reason, 'unspecified'), 0, count(*), 0
FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.status = 'skipped' GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO funnel_monthly SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source, skip_reason,
  sum(received), sum(skipped), sum(cancelled) FROM funnel_daily GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO nps_monthly SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source,
  sum(sent), sum(delivered), sum(promoters), sum(passives), sum(detractors), sum(comments) FROM nps_daily GROUP BY 1, 2, 3, 4, 5, 6;

-- Recent open feedback for the comments report, newest visit day first.
CREATE INDEX responses_commented_idx ON responses (visit_day DESC, answered_at DESC) WHERE comment IS NOT NULL AND comment <> '';
-- responses.csv pages through a period by (visit_day, id).
CREATE INDEX responses_visit_day_id_idx ON responses (visit_day, id);

-- Down Migration
DROP INDEX IF EXISTS responses_commented_idx, responses_visit_day_id_idx;
DROP TRIGGER IF EXISTS nps_daily_monthly_insert ON nps_daily;
DROP TRIGGER IF EXISTS nps_daily_monthly_update ON nps_daily;
DROP TRIGGER IF EXISTS nps_daily_monthly_delete ON nps_daily;
DROP TRIGGER IF EXISTS invitations_funnel_insert ON invitations;
DROP TRIGGER IF EXISTS invitations_funnel_update ON invitations;
DROP TRIGGER IF EXISTS invitations_funnel_delete ON invitations;
DROP FUNCTION IF EXISTS kaiku_nps_monthly_on_change(), kaiku_funnel_on_insert(), kaiku_funnel_on_change(),
  kaiku_funnel_bump(uuid, text, text, int, int);
DROP TABLE IF EXISTS nps_monthly, funnel_monthly, funnel_daily;
