-- Up Migration
-- The sender's claim, as a function so that it can lock before it looks: one survey at a time per
-- number holds across sender processes too. Each call first takes an advisory lock per phone hash
-- of the invitations it may claim (in one order), then claims in a statement of its own, whose
-- snapshot sees what another process claimed for the same number before it let the lock go (a
-- regression probe: with two senders, 6 of 40 numbers shared by two patients got both texts at the
-- same moment). The claim itself is as the sender's single statement was: each due, scheduled
-- invitation not withdrawn, of a number not opted out and not busy with another survey that waits
-- for its score; of one number's invitations due at once, the first only; the language the number
-- chose by SMS.
CREATE FUNCTION kaiku_claim_due(p_ids uuid[], p_due timestamptz[], p_languages text[], p_score_step text)
RETURNS TABLE (o_id uuid, o_attempt int, o_language text, o_phone_enc bytea, o_phone_hash text, o_lookup_before_retry boolean,
               o_retrying_since timestamptz, o_previous_attempt_at timestamptz, o_unit_id text)
LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
BEGIN
  -- Every look-up below goes from the given ids by primary key (as in kaiku_reply_apply: no
  -- sequential scan, no hash or merge join), and the status tests are written so that no index can
  -- serve them (`IS TRUE`). The function's plans are kept from its first calls,
  -- on small tables without statistics (autovacuum may be off), and a plan that read every
  -- scheduled invitation through the status index and joined the ids to it cost 15-20 ms a call
  -- with 20,000 waiting (auto_explain, in a pipeline bench).
  PERFORM count(pg_advisory_xact_lock(l.h))
  FROM (SELECT DISTINCT hashtextextended('kaiku-number ' || s.phone_hash, 0) AS h
          FROM unnest(p_ids) AS u(id)
          CROSS JOIN LATERAL (SELECT s.phone_hash FROM invitations s
                               WHERE s.id = u.id AND (s.status = 'scheduled') IS TRUE) AS s
         ORDER BY 1) AS l; -- (no hash: no lock, the lock function is strict; a test for it here would read every hash)
  RETURN QUERY
  WITH c AS MATERIALIZED (
    SELECT DISTINCT ON (coalesce(s.phone_hash, s.id::text)) s.id, u.due_by
      FROM unnest(p_ids, p_due) AS u(id, due_by)
      CROSS JOIN LATERAL (SELECT s.id, s.phone_hash FROM invitations s
                           WHERE s.id = u.id AND (s.status = 'scheduled') IS TRUE AND s.withdrawn_reason IS NULL
                             AND (s.send_at IS NULL OR s.send_at <= u.due_by)) AS s
     ORDER BY coalesce(s.phone_hash, s.id::text), s.id)
  UPDATE invitations i
     SET status = 'sending', attempt = i.attempt + 1, last_attempt_at = now(), updated_at = now(),
         language = coalesce((SELECT l.language FROM language_preferences l
                               WHERE l.phone_hash = i.phone_hash AND l.language = ANY (p_languages)), i.language)
    FROM visits v, c
   WHERE i.id = c.id AND v.id = i.visit_id AND (i.status = 'scheduled') IS TRUE AND i.withdrawn_reason IS NULL
     AND (i.send_at IS NULL OR i.send_at <= c.due_by)
     AND NOT EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone_hash = i.phone_hash)
     AND NOT EXISTS (
       SELECT 1 FROM invitations o
        WHERE o.phone_hash = i.phone_hash AND o.id <> i.id
          AND ((o.status IN ('sending', 'sent', 'delivered', 'unknown')) IS TRUE OR (o.status = 'scheduled' AND o.lookup_before_retry))
          AND o.step = p_score_step AND (o.expires_at IS NULL OR o.expires_at > now()))
  RETURNING i.id, i.attempt, i.language, i.phone_enc, i.phone_hash, i.lookup_before_retry, i.retrying_since,
            (SELECT p.last_attempt_at FROM invitations p WHERE p.id = i.id), v.unit_id;
END $$;

-- Down Migration
DROP FUNCTION kaiku_claim_due(uuid[], timestamptz[], text[], text);
