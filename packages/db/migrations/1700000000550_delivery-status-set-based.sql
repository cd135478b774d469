-- Up Migration
-- Status callbacks set-based: kaiku_delivery_status (1700000000520) decided the callbacks of a call
-- one by one, a locked read and an update per callback. Now the first callback of each invitation
-- in the call is decided in one statement (lock in key order, update, count), then the second of
-- each, and so on (almost always a single round), which decides each exactly as one by one in the
-- order given: a callback sees what the callbacks before it for the same invitation wrote.
-- Same arguments, same rows back; the statement's planner settings of 1700000000540 are kept.
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
      -- locked in key order, as every caller does
      SELECT i.id, i.status, i.message_sid, coalesce((p_ranks ->> i.delivery_status)::int, -1) AS rank
      FROM invitations i WHERE i.id IN (SELECT x.inv FROM x)
      ORDER BY i.id
      FOR UPDATE
    ), upd AS (
      UPDATE invitations i SET
        delivery_status = x.status,
        status = CASE WHEN o.status = ANY (p_settles) OR o.status IN ('sent', 'delivered') THEN x.moves_to ELSE o.status END,
        message_sid = coalesce(i.message_sid, x.sid),
        error_code = coalesce(x.error_code, i.error_code),
        sent_at = coalesce(i.sent_at, now()),
        expires_at = coalesce(i.expires_at, now() + make_interval(days => p_window_days)),
        updated_at = now()
      FROM x JOIN old o ON o.id = x.inv
      WHERE i.id = x.inv AND NOT ((o.message_sid IS NOT NULL AND o.message_sid <> x.sid) OR x.rank <= o.rank)
      RETURNING i.id, i.visit_id,
                CASE WHEN o.status = ANY (p_settles) THEN 1 ELSE 0 END AS s,
                CASE WHEN x.moves_to = 'delivered' AND o.rank < (p_ranks ->> 'delivered')::int THEN 1 ELSE 0 END AS d
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
    SELECT x.ord, CASE WHEN o.id IS NULL THEN 'unknown-invitation' WHEN u.id IS NULL THEN 'ignored' ELSE 'applied' END
    FROM x LEFT JOIN old o ON o.id = x.inv LEFT JOIN upd u ON u.id = x.inv;
  END LOOP;
END $$;

-- Down Migration
-- (the previous body is in 1700000000520, its planner settings in 1700000000540)
