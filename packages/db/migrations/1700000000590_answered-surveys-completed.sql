-- Up Migration
-- A survey answered with a score but no reason now becomes `completed` when its window closes (or
-- its number opts out). Those closed before stayed `answered`, which counts as open: close them.
UPDATE invitations SET status = 'completed', updated_at = now()
 WHERE status = 'answered' AND phone_enc IS NULL AND phone_hash IS NULL AND expires_at <= now();

-- Down Migration
-- Nothing to undo: a closed survey with a score is completed either way.
SELECT 1;
