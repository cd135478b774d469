-- Up Migration
-- A text the patient answered before anything counted it sent (its sender died between Twilio's
-- answer and its mark, or Postgres went away then; a resilience probe) was counted neither sent nor
-- delivered when its status callback came: the callback found `answered`, which it does not settle,
-- yet wrote sent_at, so the restarted sender's mark skipped it too; the rollup never healed (10 of
-- 13,883 texts after repeated kills). kaiku_delivery_status now counts such a text sent and, as the
-- answer proves, delivered (marking it so), once: sent_at IS NULL is what "not counted sent yet"
-- means for an answered invitation. Body otherwise as in 1700000000640.
CREATE OR REPLACE FUNCTION kaiku_delivery_status(p_items jsonb, p_ranks jsonb, p_settles text[], p_window_days int)
RETURNS TABLE (ord int, outcome text) LANGUAGE plpgsql VOLATILE
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off
AS $$
DECLARE
  v_rounds int;
BEGIN
  SELECT max(c) INTO v_rounds FROM (
    SELECT count(*) AS c FROM jsonb_to_recordset(p_items) AS x(inv uuid) GROUP BY x.inv
  ) AS per_invitation;
  FOR v_round IN 1..coalesce(v_rounds, 0) LOOP
    RETURN QUERY
    WITH x AS (
      SELECT y.* FROM (
        SELECT x.*, row_number() OVER (PARTITION BY x.inv ORDER BY x.ord) AS round
        FROM jsonb_to_recordset(p_items) AS x(ord int, inv uuid, sid text, status text, rank int, moves_to text, error_code int)
      ) AS y WHERE y.round = v_round
    ), old AS (
      -- each callback with its invitation as it is, locked in key order (as every caller locks)
      -- (it applies unless it is about another message, or not above the status stored)
      SELECT x.ord, x.inv, x.sid, x.status, x.moves_to, x.error_code,
             i.status AS was_status, coalesce((p_ranks ->> i.delivery_status)::int, -1) AS was_rank,
             -- answered before any mark or callback counted its text sent (its sender died in between)
             (i.status IN ('answered', 'completed') AND i.sent_at IS NULL) AS answered_unsent,
             NOT ((i.message_sid IS NOT NULL AND i.message_sid <> x.sid) OR x.rank <= coalesce((p_ranks ->> i.delivery_status)::int, -1)) AS applies
      FROM x JOIN invitations i ON i.id = x.inv
      ORDER BY i.id
      FOR UPDATE OF i
    ), upd AS (
      UPDATE invitations i SET
        -- the patient's answer proved delivery (whatever the carrier reports), short of `read`
        delivery_status = CASE WHEN o.answered_unsent AND o.status <> 'read' THEN 'delivered' ELSE o.status END,
        phone_enc = NULL,
        status = CASE WHEN o.was_status = ANY (p_settles) OR o.was_status IN ('sent', 'delivered') THEN o.moves_to ELSE o.was_status END,
        message_sid = coalesce(i.message_sid, o.sid),
        -- a send it settles keeps no error of the attempt that seemed to fail (a 5xx that had created it)
        error_code = CASE WHEN o.was_status = ANY (p_settles) THEN o.error_code ELSE coalesce(o.error_code, i.error_code) END,
        sent_at = coalesce(i.sent_at, now()),
        expires_at = coalesce(i.expires_at, now() + make_interval(days => p_window_days)),
        updated_at = now()
      FROM old o
      WHERE i.id = o.inv AND o.applies
      RETURNING o.ord, i.visit_id,
                CASE WHEN o.was_status = ANY (p_settles) OR o.answered_unsent THEN 1 ELSE 0 END AS s,
                CASE WHEN (o.moves_to = 'delivered' OR o.answered_unsent) AND o.was_rank < (p_ranks ->> 'delivered')::int THEN 1 ELSE 0 END AS d
    ), counted AS (
      -- each send and each delivery once, rollup rows in key order
      INSERT INTO nps_daily AS n (day, unit_id, service, language, age_band, source, sent, delivered)
      SELECT v.visit_day, v.unit_id, v.service, v.language, coalesce(v.age_band, 'unknown'), v.source, sum(u.s), sum(u.d)
      FROM upd u JOIN visits v ON v.id = u.visit_id
      WHERE u.s + u.d > 0
      GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
      ON CONFLICT (day, unit_id, service, language, age_band, source) DO UPDATE SET
        sent = n.sent + EXCLUDED.sent, delivered = n.delivered + EXCLUDED.delivered
    )
    -- (no join of one of these sets to another: the planner would nest-loop them, n² for a big call)
    SELECT u.ord, 'applied'::text FROM upd u
    UNION ALL
    SELECT o.ord, 'ignored' FROM old o WHERE NOT o.applies
    UNION ALL
    SELECT x.ord, 'unknown-invitation' FROM x WHERE NOT EXISTS (SELECT 1 FROM invitations i WHERE i.id = x.inv);
  END LOOP;
END $$;

-- Down Migration
-- (the previous body is in 1700000000640)
