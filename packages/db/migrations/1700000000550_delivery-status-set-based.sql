-- Up Migration
-- Status callbacks set-based: kaiku_delivery_status (1700000000520) decided the callbacks of a call
-- one by one, a locked read and an update per callback. Now the first callback of each invitation
-- in the call is decided in one statement (lock in key order, update, count), then the second of
-- each, and so on (almost always a single round), which decides each exactly as one by one in the
-- order given: a callback sees what the callbacks before it for the same invitation wrote.
-- Same arguments, the same rows back (grouped by outcome, not in the order given); the planner
-- settings of 1700000000540 are kept (key lookups only), and no derived set of the statement is
-- joined to another (with those settings the planner nest-loops them: n² for a call of 200).
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
             NOT ((i.message_sid IS NOT NULL AND i.message_sid <> x.sid) OR x.rank <= coalesce((p_ranks ->> i.delivery_status)::int, -1)) AS applies
      FROM x JOIN invitations i ON i.id = x.inv
      ORDER BY i.id
      FOR UPDATE OF i
    ), upd AS (
      UPDATE invitations i SET
        delivery_status = o.status,
        status = CASE WHEN o.was_status = ANY (p_settles) OR o.was_status IN ('sent', 'delivered') THEN o.moves_to ELSE o.was_status END,
        message_sid = coalesce(i.message_sid, o.sid),
        error_code = coalesce(o.error_code, i.error_code),
        sent_at = coalesce(i.sent_at, now()),
        expires_at = coalesce(i.expires_at, now() + make_interval(days => p_window_days)),
        updated_at = now()
      FROM old o
      WHERE i.id = o.inv AND o.applies
      RETURNING o.ord, i.visit_id,
                CASE WHEN o.was_status = ANY (p_settles) THEN 1 ELSE 0 END AS s,
                CASE WHEN o.moves_to = 'delivered' AND o.was_rank < (p_ranks ->> 'delivered')::int THEN 1 ELSE 0 END AS d
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
-- (the previous body is in 1700000000520, its planner settings in 1700000000540)
