-- Up Migration
-- When the sender last read Twilio's message log for an `unknown` send (one whose request ended
-- without an answer: a timeout, a crash, Postgres gone before the sid was stored). Found there: it
-- is `sent`; nothing to that number at all: it is sent now; anything else: it stays `unknown`, and
-- this mark keeps it from being looked up again until a later attempt.
ALTER TABLE invitations ADD COLUMN unknown_checked_at timestamptz;

-- Down Migration
ALTER TABLE invitations DROP COLUMN unknown_checked_at;
