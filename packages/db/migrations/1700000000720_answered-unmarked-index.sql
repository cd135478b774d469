-- Up Migration
-- A text the patient answered while it was still `sending`, whose sender then died and whose job
-- Redis lost, kept `sent_at` NULL for good: counted neither sent nor delivered, no answer window
-- (`expires_at` NULL), so it never closed and its encrypted phone was never erased (a resilience
-- probe). The outbox reconciler now puts its job back (the sender's mark then counts and closes
-- it); this index finds the few such rows without reading every answered invitation.
CREATE INDEX invitations_answered_unmarked_idx ON invitations (id)
  WHERE sent_at IS NULL AND status IN ('answered', 'completed');

-- Down Migration
DROP INDEX invitations_answered_unmarked_idx;
