-- Up Migration
-- The language an opt-out was confirmed in, kept with the opt-out's hash, so that a later opt-in
-- (BÖRJA) is confirmed in the same language. It used to be stored as the number's language
-- preference, which then also outranked the record system's language at the next visit: only a
-- language the patient chose by SMS may do that.
ALTER TABLE opt_outs ADD COLUMN language text;

-- Down Migration
ALTER TABLE opt_outs DROP COLUMN language;
