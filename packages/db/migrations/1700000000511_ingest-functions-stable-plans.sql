-- Up Migration
-- Plans that stay good as the tables grow. PL/pgSQL keeps a statement's plan for the whole
-- session, so a connection that first ran these functions on small tables kept plans made for
-- small tables: the supersede UPDATE (... WHERE id = ANY (…) AND status = 'scheduled') read every
-- scheduled invitation through the status index on every call, even with nothing to supersede
-- (5 ms per call at 20,000 invitations against 0.5 ms on a fresh connection), and the group's
-- cancellation check could keep a join that reads all of visit_cancellations. Now the supersede
-- runs only when there is something to supersede, as dynamic SQL (planned then, with the
-- table's size of then), after the round's statement (same transaction, same end state), and the
-- cancellation is looked up per event. Decisions and rows are unchanged (the randomised
-- equivalence test holds the one-event and the many-event paths to the same rows).
-- kaiku_ingest_visits_ended (1700000000510, new in the same release) is written this way from the
-- start; this migration brings the one-event function of 1700000000110 in line with it.
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
-- (the previous body is in 1700000000110)
