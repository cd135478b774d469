-- Up Migration
-- Whether a queue was paused, as the outbox reconciler last saw it in Redis. BullMQ keeps the pause
-- in Redis only: a Redis that comes back empty has lost it, and the jobs put back from Postgres
-- would go out, though ops had stopped the sends. The reconciler pauses the queue again from here.
CREATE TABLE queue_pauses (
  queue text PRIMARY KEY,
  paused boolean NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE queue_pauses;
