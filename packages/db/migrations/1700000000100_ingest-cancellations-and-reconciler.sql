-- Up Migration
-- Every visit-cancelled event is recorded, also for a visit Kaiku has not seen (yet): a visit-ended
-- that arrives after its cancellation is answered `cancelled` and never surveyed.
CREATE TABLE visit_cancellations (
  source text NOT NULL,
  source_visit_id text NOT NULL,
  source_event_id text,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, source_visit_id)
);

-- The outbox reconciler looks for scheduled invitations without an outbox row.
CREATE INDEX outbox_invitation_idx ON outbox (invitation_id);

-- Down Migration
DROP INDEX outbox_invitation_idx;
DROP TABLE visit_cancellations;
