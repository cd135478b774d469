-- Up Migration
-- The funnel counts texts that failed without being sent: Twilio refused them for good (an invalid
-- or non-mobile number, an unsubscribed one: the invitation `failed` with no `sent_at`). Until now
-- they were in no figure, so a unit's eligible visits did not add up (a reports probe: eligible 29 =
-- cancelled 2 + sent 26 + one refused text seen nowhere). A text Twilio accepted and then reported
-- failed stays counted as sent and not delivered.
ALTER TABLE funnel_daily ADD COLUMN failed integer NOT NULL DEFAULT 0;
ALTER TABLE funnel_monthly ADD COLUMN failed integer NOT NULL DEFAULT 0;

-- Adds one invitation state (signed) to funnel_daily and funnel_monthly, rows locked in key order;
-- p_unsent_failed: the state is `failed` without a send. (Replaces the five-argument version.)
CREATE FUNCTION kaiku_funnel_bump(p_visit uuid, p_status text, p_reason text, p_received int, p_sign int, p_unsent_failed boolean)
RETURNS void LANGUAGE sql AS $$
  WITH v AS (
    SELECT visit_day AS day, unit_id, service, language, coalesce(age_band, 'unknown') AS age_band, source
    FROM visits WHERE id = p_visit
  ), d AS (
    SELECT v.*, '' AS skip_reason, p_received * p_sign AS received, 0 AS skipped,
           (CASE WHEN p_status = 'cancelled' THEN p_sign ELSE 0 END) AS cancelled,
           (CASE WHEN p_unsent_failed THEN p_sign ELSE 0 END) AS failed FROM v
    WHERE p_received <> 0 OR p_status = 'cancelled' OR p_unsent_failed
    UNION ALL
    SELECT v.*, coalesce(p_reason, 'unspecified'), 0, p_sign, 0, 0 FROM v WHERE p_status = 'skipped'
  ), daily AS (
    INSERT INTO funnel_daily AS f (day, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled, failed)
    SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (day, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET
      received = f.received + EXCLUDED.received, skipped = f.skipped + EXCLUDED.skipped,
      cancelled = f.cancelled + EXCLUDED.cancelled, failed = f.failed + EXCLUDED.failed
  )
  INSERT INTO funnel_monthly AS f (month, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled, failed)
  SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled, failed
  FROM d ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (month, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET
    received = f.received + EXCLUDED.received, skipped = f.skipped + EXCLUDED.skipped,
    cancelled = f.cancelled + EXCLUDED.cancelled, failed = f.failed + EXCLUDED.failed
$$;

CREATE OR REPLACE FUNCTION kaiku_funnel_on_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM kaiku_funnel_bump(OLD.visit_id, OLD.status, OLD.skip_reason, CASE WHEN TG_OP = 'DELETE' THEN 1 ELSE 0 END, -1,
                            OLD.status = 'failed' AND OLD.sent_at IS NULL);
  IF TG_OP = 'UPDATE' THEN
    PERFORM kaiku_funnel_bump(NEW.visit_id, NEW.status, NEW.skip_reason, CASE WHEN OLD.visit_id <> NEW.visit_id THEN 1 ELSE 0 END, 1,
                              NEW.status = 'failed' AND NEW.sent_at IS NULL);
    IF OLD.visit_id <> NEW.visit_id THEN
      PERFORM kaiku_funnel_bump(OLD.visit_id, 'moved', NULL, 1, -1, false);
    END IF;
  END IF;
  RETURN NULL;
END $$;

DROP FUNCTION kaiku_funnel_bump(uuid, text, text, int, int);

-- New invitations: as in 1700000000400, with the failed count (an invitation is never inserted
-- failed by Kaiku; a restore or a hand-made row may be).
CREATE OR REPLACE FUNCTION kaiku_funnel_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH d AS (
    SELECT v.visit_day AS day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown') AS age_band, v.source,
           '' AS skip_reason, count(*)::int AS received, 0 AS skipped, (count(*) FILTER (WHERE r.status = 'cancelled'))::int AS cancelled,
           (count(*) FILTER (WHERE r.status = 'failed' AND r.sent_at IS NULL))::int AS failed
    FROM new_rows r JOIN visits v ON v.id = r.visit_id GROUP BY 1, 2, 3, 4, 5, 6
    UNION ALL
    SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source,
           coalesce(r.skip_reason, 'unspecified'), 0, count(*)::int, 0, 0
    FROM new_rows r JOIN visits v ON v.id = r.visit_id WHERE r.status = 'skipped' GROUP BY 1, 2, 3, 4, 5, 6, 7
  ), daily AS (
    INSERT INTO funnel_daily AS f (day, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled, failed)
    SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (day, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET
      received = f.received + EXCLUDED.received, skipped = f.skipped + EXCLUDED.skipped,
      cancelled = f.cancelled + EXCLUDED.cancelled, failed = f.failed + EXCLUDED.failed
  )
  INSERT INTO funnel_monthly AS f (month, unit_id, service, language, age_band, source, skip_reason, received, skipped, cancelled, failed)
  SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source, skip_reason,
         sum(received), sum(skipped), sum(cancelled), sum(failed)
  FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (month, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET
    received = f.received + EXCLUDED.received, skipped = f.skipped + EXCLUDED.skipped,
    cancelled = f.cancelled + EXCLUDED.cancelled, failed = f.failed + EXCLUDED.failed;
  RETURN NULL;
END $$;

-- Changes into or out of failed-without-a-send move the figure too (and sent_at, which decides it).
DROP TRIGGER invitations_funnel_update ON invitations;
CREATE TRIGGER invitations_funnel_update AFTER UPDATE OF status, skip_reason, visit_id, sent_at ON invitations
  FOR EACH ROW
  WHEN ((OLD.status, OLD.skip_reason, OLD.visit_id, OLD.status = 'failed' AND OLD.sent_at IS NULL)
        IS DISTINCT FROM (NEW.status, NEW.skip_reason, NEW.visit_id, NEW.status = 'failed' AND NEW.sent_at IS NULL)
        AND (OLD.status IN ('skipped', 'cancelled', 'failed') OR NEW.status IN ('skipped', 'cancelled', 'failed')
             OR OLD.visit_id <> NEW.visit_id))
  EXECUTE FUNCTION kaiku_funnel_on_change();

-- The texts that failed so far.
WITH f AS (
  SELECT v.visit_day AS day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown') AS age_band, v.source, count(*)::int AS n
  FROM invitations i JOIN visits v ON v.id = i.visit_id
  WHERE i.status = 'failed' AND i.sent_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6
), daily AS (
  INSERT INTO funnel_daily AS d (day, unit_id, service, language, age_band, source, skip_reason, failed)
  SELECT day, unit_id, service, language, age_band, source, '', n FROM f ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (day, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET failed = d.failed + EXCLUDED.failed
)
INSERT INTO funnel_monthly AS m (month, unit_id, service, language, age_band, source, skip_reason, failed)
SELECT date_trunc('month', day)::date, unit_id, service, language, age_band, source, '', sum(n) FROM f
GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
ON CONFLICT (month, unit_id, service, language, age_band, source, skip_reason) DO UPDATE SET failed = m.failed + EXCLUDED.failed;

-- Down Migration
-- (the previous functions and trigger are in 1700000000400; drop the failed columns after them)
