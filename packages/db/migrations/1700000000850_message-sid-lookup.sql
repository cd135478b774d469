-- Up Migration
-- The console's invitation look-up finds a survey by the MessageSid of its text (a support desk has
-- it from Twilio's log); one index entry per text, written once when the text goes.
CREATE INDEX invitations_message_sid_idx ON invitations (message_sid) WHERE message_sid IS NOT NULL;

-- Down Migration
DROP INDEX invitations_message_sid_idx;
