-- Up Migration
-- When the sender last read Twilio's record of a sent text whose delivery report never came (a
-- status callback lost while the replies service could not take it is not sent again): so that
-- each such text is looked up an hour after it went, then once a day while its survey is open.
ALTER TABLE invitations ADD COLUMN delivery_checked_at timestamptz;

-- Down Migration
ALTER TABLE invitations DROP COLUMN delivery_checked_at;
