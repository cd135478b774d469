-- Up Migration
-- What a patient wrote before giving a score (masked, capped): kept so that nothing they say is
-- lost, joined to the comment when the score arrives, erased with the phone data when the survey
-- closes unanswered.
ALTER TABLE invitations ADD COLUMN pending_comment text;

-- A closed survey's keyed phone hash, kept for a bounded time only so that a late reply can get
-- one polite "this survey has closed" (the invitation's own phone data is erased when it closes).
-- Like opt_outs, it holds no phone number, only the keyed hash; the expiry job deletes rows older
-- than its retention.
CREATE TABLE closed_surveys (
  phone_hash text PRIMARY KEY,
  language text NOT NULL,
  closed_at timestamptz NOT NULL DEFAULT now(),
  notice_sent boolean NOT NULL DEFAULT false
);
CREATE INDEX closed_surveys_closed_at_idx ON closed_surveys (closed_at);

-- The expiry job's scan: invitations past their window that still hold phone data.
CREATE INDEX invitations_expiry_idx ON invitations (expires_at) WHERE phone_hash IS NOT NULL OR phone_enc IS NOT NULL;

-- Down Migration
DROP INDEX IF EXISTS invitations_expiry_idx;
DROP TABLE IF EXISTS closed_surveys;
ALTER TABLE invitations DROP COLUMN IF EXISTS pending_comment;
