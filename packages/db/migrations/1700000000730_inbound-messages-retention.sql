-- Up Migration
-- inbound_messages only de-duplicates Twilio's webhooks (a MessageSid is retried within hours), yet
-- it kept every row for good (a soak probe: 181 bytes per inbound SMS, never purged). The replies
-- service's expiry job now deletes rows older than 30 days; this index finds them.
CREATE INDEX inbound_messages_received_at_idx ON inbound_messages (received_at);

-- Down Migration
DROP INDEX inbound_messages_received_at_idx;
