-- Up Migration
-- Dashboard sessions ended by "log out" before their cookie expired: the cookie is signed, not
-- stored, so without this list it would keep working until then. Rows go when the cookie expires.
CREATE TABLE console_sessions_ended (
  session_hash text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

-- Down Migration
DROP TABLE console_sessions_ended;
