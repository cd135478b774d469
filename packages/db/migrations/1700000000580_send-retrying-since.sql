-- Up Migration
-- When the sender's first failed attempt of an invitation was: a text that surely did not go out
-- (Twilio down, refusing our credentials) is retried for `sending.retryForHours` from then, not
-- given up after the job's five quick attempts.
ALTER TABLE invitations ADD COLUMN retrying_since timestamptz;

-- Down Migration
ALTER TABLE invitations DROP COLUMN retrying_since;
