-- Up Migration
-- A cancellation or a withdrawal (deceased, non-disclosure, consent refused, the number gone) that
-- arrives while a text is in flight (`sending`) or may have gone (`unknown`) is kept on the
-- invitation: whether the text went is not known yet, so its status stays. The sender's reconciler
-- reads it when Twilio's log shows that nothing was sent: the invitation is then cancelled or
-- skipped with that reason instead of sent now (a sender probe: three `unknown` sends were sent
-- 12 minutes after their visit was cancelled, the patient had died or refused texts). When the text
-- did go, it stays sent: after the send a cancellation is only recorded.
ALTER TABLE invitations ADD COLUMN withdrawn_reason text;

-- Down Migration
ALTER TABLE invitations DROP COLUMN withdrawn_reason;
