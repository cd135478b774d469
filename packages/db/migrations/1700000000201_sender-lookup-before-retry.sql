-- Up Migration
-- A 5xx from Twilio may still have created the message. Such an invitation goes back to
-- `scheduled` with `lookup_before_retry`, and the retry first asks Twilio for messages sent to the
-- number since `last_attempt_at`: a match settles it as sent instead of texting again.
ALTER TABLE invitations
  ADD COLUMN last_attempt_at timestamptz,
  ADD COLUMN lookup_before_retry boolean NOT NULL DEFAULT false;

-- Down Migration
ALTER TABLE invitations DROP COLUMN lookup_before_retry, DROP COLUMN last_attempt_at;
