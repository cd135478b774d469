-- Up Migration
-- A text that failed (Twilio refused it for good: an invalid number, a carrier's rejection) never
-- reached the patient, so it no longer counts as a survey: neither "not surveyed in the last N
-- days" (recently-surveyed) nor the same-day rule is decided by it. A patient whose number was
-- wrong at one visit is surveyed for the next with the right one. Bodies otherwise as in
-- 1700000000610 (kaiku_ingest_visits_ended) and 1700000000630 (kaiku_ingest_visit_ended).
CREATE OR REPLACE FUNCTION kaiku_ingest_visits_ended(
  p_round int[],
  p_source text[], p_visit_id text[], p_event_id text[], p_unit_id text[], p_service text[], p_service_class text[],
  p_ended_at timestamptz[], p_visit_day date[], p_language text[], p_age_band text[], p_pseudonym text[],
  p_skip text[], p_phone_hash text[], p_phone_enc bytea[], p_since date[], p_send_at timestamptz[], p_languages text[]
) RETURNS TABLE (o_ord int, o_outcome text, o_reason text, o_invitation uuid, o_language text, o_superseded uuid[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_row record;
  v_superseded uuid[] := '{}';
  v_round int;
  v_lo int := 1;
  v_hi int;
BEGIN
  IF p_round IS DISTINCT FROM (SELECT array_agg(r ORDER BY r) FROM unnest(p_round) AS r) THEN
    RAISE EXCEPTION 'kaiku_ingest_visits_ended: the events must come sorted by round';
  END IF;
  PERFORM set_config('plan_cache_mode', CASE WHEN cardinality(p_round) > 32 THEN 'force_custom_plan' ELSE 'force_generic_plan' END, true);
  PERFORM count(pg_advisory_xact_lock(l.h))
  FROM (SELECT DISTINCT hashtextextended(p, 0) AS h FROM unnest(p_pseudonym) AS p WHERE p IS NOT NULL ORDER BY 1) AS l;
  FOR v_round IN SELECT DISTINCT r FROM unnest(p_round) AS r ORDER BY 1 LOOP
    v_hi := v_lo + (SELECT count(*) FROM unnest(p_round) AS r WHERE r = v_round)::int - 1;
    -- The round's patients' invitations of the same day that are still scheduled are locked before
    -- the round decides: the sender's claim of one of them waits for this commit (and then finds it
    -- superseded), or committed before and the round sees it `sending` (a same-day skip). Read
    -- unlocked, the claim could land between the decision and the supersede, and both visits were
    -- texted.
    PERFORM 1 FROM invitations i
      JOIN visits v ON v.id = i.visit_id
      JOIN unnest(p_pseudonym[v_lo:v_hi], p_visit_day[v_lo:v_hi], p_skip[v_lo:v_hi]) AS e(pseudonym, visit_day, skip)
        ON v.patient_pseudonym = e.pseudonym AND v.visit_day = e.visit_day
     WHERE e.skip IS NULL AND i.status = 'scheduled'
     ORDER BY i.id
       FOR UPDATE OF i;
    FOR v_row IN
    WITH x AS (
      SELECT u.*, u.n + v_lo - 1 AS ord
      FROM unnest(p_source[v_lo:v_hi], p_visit_id[v_lo:v_hi], p_event_id[v_lo:v_hi], p_unit_id[v_lo:v_hi], p_service[v_lo:v_hi],
                  p_service_class[v_lo:v_hi], p_ended_at[v_lo:v_hi], p_visit_day[v_lo:v_hi], p_language[v_lo:v_hi],
                  p_age_band[v_lo:v_hi], p_pseudonym[v_lo:v_hi], p_skip[v_lo:v_hi], p_phone_hash[v_lo:v_hi],
                  p_phone_enc[v_lo:v_hi], p_since[v_lo:v_hi], p_send_at[v_lo:v_hi])
        WITH ORDINALITY AS u(source, visit_id, event_id, unit_id, service, service_class, ended_at, visit_day,
                             language, age_band, pseudonym, skip, phone_hash, phone_enc, since, send_at, n)
    ), cancelled AS (
      -- the cancellation came first (or the visit was cancelled and ended again): never surveyed
      -- (looked up per event: a join could keep a plan that reads the whole table)
      SELECT x.ord FROM x
      WHERE (SELECT true FROM visit_cancellations c WHERE c.source = x.source AND c.source_visit_id = x.visit_id LIMIT 1)
    ), ins AS (
      INSERT INTO visits (source, source_visit_id, source_event_id, unit_id, service, service_class, ended_at, visit_day, language, age_band, patient_pseudonym)
      SELECT x.source, x.visit_id, x.event_id, x.unit_id, x.service, x.service_class, x.ended_at, x.visit_day, x.language, x.age_band, x.pseudonym
      FROM x WHERE NOT EXISTS (SELECT 1 FROM cancelled c WHERE c.ord = x.ord)
      ORDER BY x.source, x.visit_id
      ON CONFLICT (source, source_visit_id) DO NOTHING
      RETURNING id, source, source_visit_id
    ), fresh AS (
      -- a known visit is not in `ins`: a duplicate
      SELECT x.*, ins.id AS vid,
             (x.skip IS NULL AND x.phone_hash IS NOT NULL AND EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone_hash = x.phone_hash)) AS opted_out,
             (SELECT l.language FROM language_preferences l WHERE l.phone_hash = x.phone_hash) AS chosen
      FROM x JOIN ins ON ins.source = x.source AND ins.source_visit_id = x.visit_id
    ), recent AS (
      -- the patient's live invitations since p_since (the new visits of this statement have none yet)
      SELECT f.ord, i.id, i.status, v.visit_day, v.ended_at, v.source, v.source_visit_id,
             (v.visit_day = f.visit_day AND i.status = 'scheduled' AND v.ended_at <= f.ended_at) AS supersedable
      FROM fresh f
      JOIN visits v ON v.patient_pseudonym = f.pseudonym AND v.visit_day >= f.since
      JOIN invitations i ON i.visit_id = v.id
      WHERE f.skip IS NULL AND NOT f.opted_out AND f.pseudonym IS NOT NULL AND i.status NOT IN ('skipped', 'cancelled', 'failed')
    ), blocker AS (
      -- in the order of their visits' end, the first one that is not an earlier still-scheduled
      -- visit of the same day decides the skip: same day, or another day (recently surveyed)
      SELECT DISTINCT ON (r.ord) r.ord,
             CASE WHEN r.visit_day = f.visit_day THEN 'same-day-visit' ELSE 'recently-surveyed' END AS reason
      FROM recent r JOIN fresh f ON f.ord = r.ord
      WHERE NOT r.supersedable
      ORDER BY r.ord, r.ended_at, r.source, r.source_visit_id
    ), decided AS (
      SELECT f.ord, f.vid, f.language, f.phone_enc, f.phone_hash, f.send_at,
             coalesce(f.skip, CASE WHEN f.opted_out THEN 'opted-out' END, b.reason) AS skip,
             -- the number's SMS-chosen language outranks the record
             CASE WHEN f.chosen = ANY (p_languages) THEN f.chosen ELSE f.language END AS chosen_language
      FROM fresh f LEFT JOIN blocker b ON b.ord = f.ord
    ), superseded AS (
      -- of one patient's visits on the same day only the last is surveyed
      SELECT r.ord, array_agg(r.id ORDER BY r.ended_at, r.source, r.source_visit_id) AS ids
      FROM recent r JOIN decided d ON d.ord = r.ord AND d.skip IS NULL
      GROUP BY r.ord
    ), inv AS (
      INSERT INTO invitations (visit_id, status, skip_reason, phone_enc, phone_hash, language, send_at, expires_at)
      SELECT d.vid, CASE WHEN d.skip IS NULL THEN 'scheduled' ELSE 'skipped' END, d.skip,
             CASE WHEN d.skip IS NULL THEN d.phone_enc END, CASE WHEN d.skip IS NULL THEN d.phone_hash END,
             CASE WHEN d.skip IS NULL THEN d.chosen_language ELSE d.language END,
             CASE WHEN d.skip IS NULL THEN d.send_at END, NULL
      FROM decided d ORDER BY d.ord
      RETURNING id, visit_id, status
    ), ob AS (
      INSERT INTO outbox (invitation_id)
      SELECT inv.id FROM inv JOIN decided d ON d.vid = inv.visit_id WHERE inv.status = 'scheduled' ORDER BY d.ord
    )
    SELECT x.ord::int AS ord,
           CASE WHEN c.ord IS NOT NULL THEN 'cancelled' WHEN d.ord IS NULL THEN 'duplicate'
                WHEN d.skip IS NOT NULL THEN 'skipped' ELSE 'scheduled' END AS outcome,
           d.skip AS reason, inv.id AS invitation,
           CASE WHEN d.skip IS NULL THEN d.chosen_language END AS language,
           CASE WHEN d.skip IS NULL THEN coalesce(s.ids, '{}') ELSE '{}' END AS superseded
    FROM x
    LEFT JOIN cancelled c ON c.ord = x.ord
    LEFT JOIN decided d ON d.ord = x.ord
    LEFT JOIN inv ON inv.visit_id = d.vid
    LEFT JOIN superseded s ON s.ord = x.ord
    ORDER BY x.ord
    LOOP
      o_ord := v_row.ord;
      o_outcome := v_row.outcome;
      o_reason := v_row.reason;
      o_invitation := v_row.invitation;
      o_language := v_row.language;
      o_superseded := v_row.superseded;
      RETURN NEXT;
      v_superseded := v_superseded || v_row.superseded;
    END LOOP;
    -- Of one patient's visits on the same day only the last is surveyed: the earlier ones still
    -- scheduled become skips. Planned when it runs (rarely): a plan kept from when the table was
    -- small read every scheduled invitation through the status index on every call.
    IF cardinality(v_superseded) > 0 THEN
      EXECUTE 'UPDATE invitations SET status = ''skipped'', skip_reason = ''same-day-visit'', phone_enc = NULL, phone_hash = NULL,
                 updated_at = now() WHERE id = ANY ($1) AND status = ''scheduled'''
        USING v_superseded;
      v_superseded := '{}';
    END IF;
    v_lo := v_hi + 1;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION kaiku_ingest_visit_ended(
  p_source text, p_visit_id text, p_event_id text, p_unit_id text, p_service text, p_service_class text,
  p_ended_at timestamptz, p_visit_day date, p_language text, p_age_band text, p_pseudonym text,
  p_skip text, p_phone_hash text, p_phone_enc bytea, p_since date, p_send_at timestamptz, p_languages text[],
  OUT o_outcome text, OUT o_reason text, OUT o_invitation uuid, OUT o_language text, OUT o_superseded uuid[]
) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_visit uuid;
  v_skip text := p_skip;
  v_chosen text;
  r record;
BEGIN
  o_superseded := '{}';
  IF p_pseudonym IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_pseudonym, 0));
  END IF;
  IF EXISTS (SELECT 1 FROM visit_cancellations c WHERE c.source = p_source AND c.source_visit_id = p_visit_id) THEN
    o_outcome := 'cancelled';
    RETURN;
  END IF;
  INSERT INTO visits (source, source_visit_id, source_event_id, unit_id, service, service_class, ended_at, visit_day, language, age_band, patient_pseudonym)
  VALUES (p_source, p_visit_id, p_event_id, p_unit_id, p_service, p_service_class, p_ended_at, p_visit_day, p_language, p_age_band, p_pseudonym)
  ON CONFLICT (source, source_visit_id) DO NOTHING
  RETURNING id INTO v_visit;
  IF v_visit IS NULL THEN
    o_outcome := 'duplicate';
    RETURN;
  END IF;

  IF v_skip IS NULL AND p_phone_hash IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone_hash = p_phone_hash) THEN
      v_skip := 'opted-out';
    ELSE
      SELECT l.language INTO v_chosen FROM language_preferences l WHERE l.phone_hash = p_phone_hash;
    END IF;
  END IF;
  IF v_skip IS NULL AND p_pseudonym IS NOT NULL THEN
    -- Locked before the decision, as in kaiku_ingest_visits_ended: a claim by the sender either
    -- waits for this commit or is seen here as `sending`.
    -- Every invitation of the patient's visits that day is locked, whatever its status: with
    -- `status = 'scheduled'` here too, a plan could start from the status index (see above).
    -- Only the patient's advisory lock and the new visit are held here: a send or a callback this
    -- waits for cannot be waiting for them.
    PERFORM 1 FROM invitations i JOIN visits v ON v.id = i.visit_id
     WHERE v.patient_pseudonym = p_pseudonym AND v.visit_day = p_visit_day
     ORDER BY i.id
       FOR UPDATE OF i;
    FOR r IN
      SELECT i.id, i.status, v.visit_day, v.ended_at FROM invitations i JOIN visits v ON v.id = i.visit_id
      WHERE v.patient_pseudonym = p_pseudonym AND v.visit_day >= p_since AND i.status NOT IN ('skipped', 'cancelled', 'failed')
      ORDER BY v.ended_at, v.source, v.source_visit_id
    LOOP
      IF r.visit_day = p_visit_day THEN
        -- Of one patient's visits on the same day only the last is surveyed.
        IF r.status = 'scheduled' AND r.ended_at <= p_ended_at THEN
          o_superseded := o_superseded || r.id;
        ELSE
          v_skip := 'same-day-visit';
        END IF;
      ELSE
        v_skip := 'recently-surveyed';
      END IF;
      EXIT WHEN v_skip IS NOT NULL;
    END LOOP;
  END IF;

  IF v_skip IS NOT NULL THEN
    INSERT INTO invitations (visit_id, status, skip_reason, phone_enc, phone_hash, language, send_at, expires_at)
    VALUES (v_visit, 'skipped', v_skip, NULL, NULL, p_language, NULL, NULL)
    RETURNING id INTO o_invitation;
    o_outcome := 'skipped';
    o_reason := v_skip;
    o_superseded := '{}';
    RETURN;
  END IF;
  IF cardinality(o_superseded) > 0 THEN
    -- planned when it runs (rarely): see kaiku_ingest_visits_ended
    EXECUTE 'UPDATE invitations SET status = ''skipped'', skip_reason = ''same-day-visit'', phone_enc = NULL, phone_hash = NULL,
               updated_at = now() WHERE id = ANY ($1) AND status = ''scheduled'''
      USING o_superseded;
  END IF;
  o_language := CASE WHEN v_chosen = ANY (p_languages) THEN v_chosen ELSE p_language END;
  INSERT INTO invitations (visit_id, status, phone_enc, phone_hash, language, send_at, expires_at)
  VALUES (v_visit, 'scheduled', p_phone_enc, p_phone_hash, o_language, p_send_at, NULL)
  RETURNING id INTO o_invitation;
  INSERT INTO outbox (invitation_id) VALUES (o_invitation);
  o_outcome := 'scheduled';
END $$;

-- Down Migration
-- (the previous bodies are in 1700000000610 and 1700000000630)
