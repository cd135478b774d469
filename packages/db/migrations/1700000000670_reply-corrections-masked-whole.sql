-- Up Migration
-- kaiku_reply_apply, two changes (folded into one migration before either reached a database):
-- * A patient may correct the score once it is stored ("8", then "Ei kun 10" or a bare "10"; "Sorry,
--   I meant 9" after the thanks): the item's `rescore` replaces the response's score when it
--   differs, and moves the answer between the nps_daily bands in the same statement (nps_monthly
--   follows by its trigger). Until now the correction was kept as the comment and the first score
--   counted.
-- * Words joined on to a stored comment are masked as a whole with it: the service sends the join
--   it masked (`append_joined`, of the comment as it read it: `comment_was`; `pending_joined` for
--   the pending comment, which the item's state already pins), so that a phone number or a hetu
--   split across two messages ("soittakaa 040", then "123 4567") is not stored in the clear. When
--   the comment changed since it was read (two messages at the same moment) the item is `stale`,
--   and the service decides it again on the comment as it is.
-- Body otherwise as in 1700000000650.
CREATE OR REPLACE FUNCTION kaiku_reply_apply(p_items jsonb)
RETURNS TABLE (ord int, outcome text) LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
DECLARE
  it record;
  v_old text;
  v_comment_bump int;
  b_inv uuid[] := '{}';
  b_p int[] := '{}';
  b_pa int[] := '{}';
  b_d int[] := '{}';
  b_c int[] := '{}';
  b_dl int[] := '{}';
  b_s int[] := '{}';
  v_was text;
  v_score int;
BEGIN
  FOR it IN
    SELECT x.* FROM jsonb_to_recordset(p_items) AS x(
      ord int, sid text, inv uuid, hash text, at timestamptz,
      step text, reasked boolean, language text, pending text,
      set_status text, set_step text, set_reasked boolean, set_language text, touch boolean,
      pending_append text, pending_joined text, pending_clear boolean, cap int,
      score int, comment text, promoters int, passives int, detractors int,
      rescore int, append text, append_joined text, comment_was text, remember text)
  LOOP
    ord := it.ord;
    INSERT INTO inbound_messages (message_sid, invitation_id) VALUES (it.sid, it.inv) ON CONFLICT (message_sid) DO NOTHING;
    IF NOT FOUND THEN
      outcome := 'duplicate';
      RETURN NEXT;
      CONTINUE;
    END IF;
    SELECT i.status INTO v_was FROM invitations i WHERE i.id = it.inv;
    UPDATE invitations i SET
      status = coalesce(it.set_status, i.status),
      step = coalesce(it.set_step, i.step),
      reasked = coalesce(it.set_reasked, i.reasked),
      language = coalesce(it.set_language, i.language),
      pending_comment = CASE
        WHEN it.pending_clear THEN NULL
        WHEN it.pending_joined IS NOT NULL THEN left(it.pending_joined, it.cap)
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
    -- A reply proves the text went out and arrived: counted delivered once, whatever the carrier
    -- reported (undelivered, or nothing yet), so that no unit answers more texts than it was
    -- delivered; a delivery callback after it finds the rank taken and changes nothing. A send that
    -- ended `unknown` is settled by it: sent, counted sent, its encrypted phone erased. (One still
    -- `sending` is left to the sender, whose mark counts it sent.)
    UPDATE invitations i SET delivery_status = 'delivered',
           status = CASE WHEN i.status IN ('sent', 'undelivered', 'unknown') THEN 'delivered' ELSE i.status END,
           sent_at = coalesce(i.sent_at, now()),
           phone_enc = NULL
     WHERE i.id = it.inv AND (i.message_sid IS NOT NULL OR v_was = 'unknown')
       AND i.delivery_status IS DISTINCT FROM 'delivered' AND i.delivery_status IS DISTINCT FROM 'read';
    IF FOUND THEN
      b_inv := b_inv || it.inv;
      b_p := b_p || 0;
      b_pa := b_pa || 0;
      b_d := b_d || 0;
      b_c := b_c || 0;
      b_dl := b_dl || 1;
      b_s := b_s || (CASE WHEN v_was = 'unknown' THEN 1 ELSE 0 END);
    END IF;
    IF it.score IS NOT NULL THEN
      INSERT INTO responses (invitation_id, score, comment, language, unit_id, service, visit_day, visit_month, age_band, source)
      SELECT it.inv, it.score, it.comment, coalesce(it.set_language, it.language), v.unit_id, v.service, v.visit_day, to_char(v.visit_day, 'YYYY-MM'),
             v.age_band, v.source
      FROM invitations i JOIN visits v ON v.id = i.visit_id WHERE i.id = it.inv;
      b_inv := b_inv || it.inv;
      b_p := b_p || it.promoters;
      b_pa := b_pa || it.passives;
      b_d := b_d || it.detractors;
      b_c := b_c || (CASE WHEN it.comment IS NULL THEN 0 ELSE 1 END);
      b_dl := b_dl || 0;
      b_s := b_s || 0;
    END IF;
    IF it.rescore IS NOT NULL THEN
      SELECT r.score INTO v_score FROM responses r WHERE r.invitation_id = it.inv FOR UPDATE;
      IF FOUND AND v_score <> it.rescore THEN
        UPDATE responses r SET score = it.rescore WHERE r.invitation_id = it.inv;
        b_inv := b_inv || it.inv;
        b_p := b_p || ((it.rescore >= 9)::int - (v_score >= 9)::int);
        b_pa := b_pa || ((it.rescore BETWEEN 7 AND 8)::int - (v_score BETWEEN 7 AND 8)::int);
        b_d := b_d || ((it.rescore <= 6)::int - (v_score <= 6)::int);
        b_c := b_c || 0;
        b_dl := b_dl || 0;
        b_s := b_s || 0;
      END IF;
    END IF;
    IF it.append IS NOT NULL THEN
      SELECT r.comment INTO v_old FROM responses r WHERE r.invitation_id = it.inv FOR UPDATE;
      IF FOUND AND it.append_joined IS NOT NULL AND v_old IS DISTINCT FROM it.comment_was THEN
        -- Another message changed the comment since this one was read (two at the same moment,
        -- the survey complete: nothing else of this item changed): decided again on the comment
        -- as it is, so that the join is masked as a whole.
        DELETE FROM inbound_messages m WHERE m.message_sid = it.sid;
        outcome := 'stale';
        RETURN NEXT;
        CONTINUE;
      END IF;
      -- Words the comment already holds (a message sent again) are not added twice.
      IF FOUND AND (v_old IS NULL OR position(it.append IN v_old) = 0) THEN
        UPDATE responses r SET comment = left(CASE
            WHEN it.append_joined IS NOT NULL THEN it.append_joined
            WHEN v_old IS NULL OR v_old = '' THEN it.append ELSE v_old || ' ' || it.append END, it.cap)
        WHERE r.invitation_id = it.inv;
        v_comment_bump := CASE WHEN v_old IS NULL OR v_old = '' THEN 1 ELSE 0 END;
        IF v_comment_bump = 1 THEN
          b_inv := b_inv || it.inv;
          b_p := b_p || 0;
          b_pa := b_pa || 0;
          b_d := b_d || 0;
          b_c := b_c || 1;
          b_dl := b_dl || 0;
          b_s := b_s || 0;
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
    INSERT INTO nps_daily AS n (day, unit_id, service, language, age_band, source, promoters, passives, detractors, comments, delivered, sent)
    SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source,
           sum(b.p), sum(b.pa), sum(b.d), sum(b.c), sum(b.dl), sum(b.s)
    FROM unnest(b_inv, b_p, b_pa, b_d, b_c, b_dl, b_s) AS b(inv, p, pa, d, c, dl, s)
    JOIN invitations i ON i.id = b.inv JOIN visits v ON v.id = i.visit_id
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE SET
      promoters = n.promoters + EXCLUDED.promoters, passives = n.passives + EXCLUDED.passives,
      detractors = n.detractors + EXCLUDED.detractors, comments = n.comments + EXCLUDED.comments,
      delivered = n.delivered + EXCLUDED.delivered, sent = n.sent + EXCLUDED.sent;
  END IF;
END $$;

-- Down Migration
-- (the previous body is in 1700000000650)
