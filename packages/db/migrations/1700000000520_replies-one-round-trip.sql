-- Up Migration
-- The replies service in one round trip per step, and many steps per commit.
--
-- kaiku_reply_apply: stores what the conversation (packages/core, decided in Node) made of
-- inbound messages. Each item carries the invitation's state the decision was made on; the item
-- is applied only if the invitation is still in that state (still open, same step, re-ask flag,
-- language and pending words), else nothing of it is kept and it comes back 'stale' (the caller
-- reads again and decides again). An item whose MessageSid is already known comes back
-- 'duplicate' with no effect (a Twilio retry). The nps_daily counters of all items are added at
-- the end in key order, in one statement (one nps_monthly trigger run), so concurrent calls lock
-- rollup rows in the same order. Items are applied in the order given; the caller sorts them by
-- invitation (arrival order within one), so concurrent calls lock invitations in the same order.
CREATE FUNCTION kaiku_reply_apply(p_items jsonb)
RETURNS TABLE (ord int, outcome text) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  it record;
  v_old text;
  v_comment_bump int;
  b_inv uuid[] := '{}';
  b_p int[] := '{}';
  b_pa int[] := '{}';
  b_d int[] := '{}';
  b_c int[] := '{}';
BEGIN
  FOR it IN
    SELECT x.* FROM jsonb_to_recordset(p_items) AS x(
      ord int, sid text, inv uuid, hash text, at timestamptz,
      step text, reasked boolean, language text, pending text,
      set_status text, set_step text, set_reasked boolean, set_language text, touch boolean,
      pending_append text, pending_clear boolean, cap int,
      score int, comment text, promoters int, passives int, detractors int,
      append text, remember text)
  LOOP
    ord := it.ord;
    INSERT INTO inbound_messages (message_sid, invitation_id) VALUES (it.sid, it.inv) ON CONFLICT (message_sid) DO NOTHING;
    IF NOT FOUND THEN
      outcome := 'duplicate';
      RETURN NEXT;
      CONTINUE;
    END IF;
    UPDATE invitations i SET
      status = coalesce(it.set_status, i.status),
      step = coalesce(it.set_step, i.step),
      reasked = coalesce(it.set_reasked, i.reasked),
      language = coalesce(it.set_language, i.language),
      pending_comment = CASE
        WHEN it.pending_clear THEN NULL
        WHEN it.pending_append IS NOT NULL THEN left(CASE WHEN i.pending_comment IS NULL OR i.pending_comment = ''
          THEN it.pending_append ELSE i.pending_comment || ' ' || it.pending_append END, it.cap)
        ELSE i.pending_comment END,
      updated_at = CASE WHEN it.touch THEN now() ELSE i.updated_at END
    WHERE i.id = it.inv AND i.phone_hash = it.hash
      AND i.status IN ('sending', 'sent', 'delivered', 'undelivered', 'unknown', 'answered', 'completed')
      AND (i.expires_at IS NULL OR i.expires_at > it.at)
      AND i.step = it.step AND i.reasked = it.reasked AND i.language = it.language
      AND i.pending_comment IS NOT DISTINCT FROM it.pending;
    IF NOT FOUND THEN
      -- Changed since it was read: keep nothing of this message, so that it can be tried again.
      DELETE FROM inbound_messages m WHERE m.message_sid = it.sid;
      outcome := 'stale';
      RETURN NEXT;
      CONTINUE;
    END IF;
    IF it.score IS NOT NULL THEN
      INSERT INTO responses (invitation_id, score, comment, language, unit_id, service, visit_day, visit_month, age_band, source)
      SELECT it.inv, it.score, it.comment, it.language, v.unit_id, v.service, v.visit_day, to_char(v.visit_day, 'YYYY-MM'),
             v.age_band, v.source
      FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.id = it.inv;
      b_inv := b_inv || it.inv;
      b_p := b_p || it.promoters;
      b_pa := b_pa || it.passives;
      b_d := b_d || it.detractors;
      b_c := b_c || (CASE WHEN it.comment IS NULL THEN 0 ELSE 1 END);
    END IF;
    IF it.append IS NOT NULL THEN
      SELECT r.comment INTO v_old FROM responses r WHERE r.invitation_id = it.inv FOR UPDATE;
      IF FOUND THEN
        UPDATE responses r SET comment = left(CASE WHEN v_old IS NULL OR v_old = '' THEN it.append ELSE v_old || ' ' || it.append END, it.cap)
        WHERE r.invitation_id = it.inv;
        v_comment_bump := CASE WHEN v_old IS NULL OR v_old = '' THEN 1 ELSE 0 END;
        IF v_comment_bump = 1 THEN
          b_inv := b_inv || it.inv;
          b_p := b_p || 0;
          b_pa := b_pa || 0;
          b_d := b_d || 0;
          b_c := b_c || 1;
        END IF;
      END IF;
    END IF;
    IF it.remember IS NOT NULL THEN
      INSERT INTO language_preferences AS l (phone_hash, language) VALUES (it.hash, it.remember)
      ON CONFLICT (phone_hash) DO UPDATE SET language = EXCLUDED.language, updated_at = now();
    END IF;
    outcome := 'applied';
    RETURN NEXT;
  END LOOP;

  IF cardinality(b_inv) > 0 THEN
    INSERT INTO nps_daily AS n (day, unit_id, service, language, age_band, source, promoters, passives, detractors, comments)
    SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source,
           sum(b.p), sum(b.pa), sum(b.d), sum(b.c)
    FROM unnest(b_inv, b_p, b_pa, b_d, b_c) AS b(inv, p, pa, d, c)
    JOIN invitations i ON i.id = b.inv JOIN visits v ON v.id = i.visit_id
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE SET
      promoters = n.promoters + EXCLUDED.promoters, passives = n.passives + EXCLUDED.passives,
      detractors = n.detractors + EXCLUDED.detractors, comments = n.comments + EXCLUDED.comments;
  END IF;
END $$;

-- kaiku_delivery_status: Twilio status callbacks, one round trip for any number of them, applied
-- in the order given: idempotent and monotonic (p_ranks orders Twilio's statuses; a callback not
-- above the stored one is ignored), settles a send whose answer was never seen (p_settles) as
-- sent, moves the invitation's status only while it is in p_settles or sent/delivered, and counts
-- each send and each delivery once in nps_daily (added at the end, in key order).
CREATE FUNCTION kaiku_delivery_status(p_items jsonb, p_ranks jsonb, p_settles text[], p_window_days int)
RETURNS TABLE (ord int, outcome text) LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  it record;
  r record;
  b_inv uuid[] := '{}';
  b_s int[] := '{}';
  b_d int[] := '{}';
  v_sent int;
  v_delivered int;
BEGIN
  FOR it IN
    SELECT x.* FROM jsonb_to_recordset(p_items) AS x(ord int, inv uuid, sid text, status text, rank int, moves_to text, error_code int)
  LOOP
    ord := it.ord;
    SELECT i.status, i.message_sid, coalesce((p_ranks ->> i.delivery_status)::int, -1) AS rank
    INTO r FROM invitations i WHERE i.id = it.inv FOR UPDATE;
    IF NOT FOUND THEN
      outcome := 'unknown-invitation';
      RETURN NEXT;
      CONTINUE;
    END IF;
    IF (r.message_sid IS NOT NULL AND r.message_sid <> it.sid) OR it.rank <= r.rank THEN
      outcome := 'ignored';
      RETURN NEXT;
      CONTINUE;
    END IF;
    UPDATE invitations i SET
      delivery_status = it.status,
      status = CASE WHEN r.status = ANY (p_settles) OR r.status IN ('sent', 'delivered') THEN it.moves_to ELSE r.status END,
      message_sid = coalesce(i.message_sid, it.sid),
      error_code = coalesce(it.error_code, i.error_code),
      sent_at = coalesce(i.sent_at, now()),
      expires_at = coalesce(i.expires_at, now() + make_interval(days => p_window_days)),
      updated_at = now()
    WHERE i.id = it.inv;
    v_sent := CASE WHEN r.status = ANY (p_settles) THEN 1 ELSE 0 END;
    v_delivered := CASE WHEN it.moves_to = 'delivered' AND r.rank < (p_ranks ->> 'delivered')::int THEN 1 ELSE 0 END;
    IF v_sent + v_delivered > 0 THEN
      b_inv := b_inv || it.inv;
      b_s := b_s || v_sent;
      b_d := b_d || v_delivered;
    END IF;
    outcome := 'applied';
    RETURN NEXT;
  END LOOP;

  IF cardinality(b_inv) > 0 THEN
    INSERT INTO nps_daily AS n (day, unit_id, service, language, age_band, source, sent, delivered)
    SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source, sum(b.s), sum(b.d)
    FROM unnest(b_inv, b_s, b_d) AS b(inv, s, d)
    JOIN invitations i ON i.id = b.inv JOIN visits v ON v.id = i.visit_id
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE SET
      sent = n.sent + EXCLUDED.sent, delivered = n.delivered + EXCLUDED.delivered;
  END IF;
END $$;

-- Down Migration
DROP FUNCTION IF EXISTS kaiku_reply_apply(jsonb);
DROP FUNCTION IF EXISTS kaiku_delivery_status(jsonb, jsonb, text[], int);
