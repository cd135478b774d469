-- Up Migration
-- The keys a database was first used with, as fingerprints (a keyed hash of a fixed text: nothing
-- of the key can be read from one). Every keyed hash Kaiku keeps (opt-outs, pseudonyms, remembered
-- languages) is made with the pseudonym key, so a service started with another key says so.
CREATE TABLE key_fingerprints (
  name text PRIMARY KEY,
  fingerprint text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE key_fingerprints;
