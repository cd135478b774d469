-- Up Migration
-- When the patient details a scheduled invitation holds were recorded at the source: set by a
-- patient update that carries its own time (HL7 EVN-2 / MSH-7, canonical recordedAt). An update
-- recorded before it is older than what the survey holds, and moves neither the number nor the
-- language (an A08 that came late, or was sent again, moved the text to an old number).
ALTER TABLE invitations ADD COLUMN details_at timestamptz;

-- Down Migration
ALTER TABLE invitations DROP COLUMN details_at;
