-- Up Migration
-- Patients Kaiku has been told died, by the keyed pseudonym it already keeps for the resurvey and
-- same-day rules (no hetu). A later event of theirs (another system's older visit, sent after the
-- death was recorded) is skipped as deceased instead of texting the family.
CREATE TABLE deceased_patients (
  patient_pseudonym text PRIMARY KEY,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE deceased_patients;
