-- Up Migration
-- The same-day lock of kaiku_ingest_visit_ended (one event: single HTTP events, and an MLLP or
-- HTTP message that arrives alone) was planned to read every `scheduled` invitation through the
-- status index and keep the patient's: a plan made while the tables were small (a new database) is
-- kept by each connection until statistics change, and a server without autovacuum never gathers
-- them. Each call then read every invitation waiting to be sent (21,000 of them, 34-67 ms each, in
-- the MLLP benchmark). Without the status filter the only way in is the patient's visits of that
-- day and each one's invitation by its unique visit id. Body otherwise as in 1700000000610.
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
      WHERE v.patient_pseudonym = p_pseudonym AND v.visit_day >= p_since AND i.status NOT IN ('skipped', 'cancelled')
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
-- (the previous body is in 1700000000610)
