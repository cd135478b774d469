-- Up Migration
-- The references from invitations to visits and from outbox to invitations, checked once per
-- statement instead of once per row. A foreign key checks each inserted row with a query of its
-- own (and a row lock); the ingest functions insert up to 1,000 invitations and outbox rows per
-- statement, and those 2,000 checks were 40 % of Postgres' CPU per visit on the batch endpoint
-- (measured, BENCHMARKS.md). Both rows are written by the same statement that writes what they
-- refer to (kaiku_ingest_visit_ended, kaiku_ingest_visits_ended), and Kaiku never deletes a visit
-- or an invitation, so the checks found nothing; they stay as guards against other writers:
--   * an invitation must name an existing visit: checked for all of a statement's new rows in one
--     query, and for a row whose visit_id changes;
--   * a visit that an invitation names cannot be deleted or have its id changed.
-- What the foreign key also did and this does not: lock the visit against a delete running at the
-- same moment as the insert that names it. Nothing in Kaiku deletes visits.
-- The outbox is a hand-off (a row lives until the relay's next run, under a second) written only
-- next to its invitation; its reference is not checked any more, and the relay drops a row whose
-- invitation is gone instead of keeping it forever.
ALTER TABLE outbox DROP CONSTRAINT outbox_invitation_id_fkey;
ALTER TABLE invitations DROP CONSTRAINT invitations_visit_id_fkey;

-- Key lookups only, whatever the tables' size when first planned (as in 1700000000540).
CREATE FUNCTION kaiku_invitations_visit_exists() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
  v_missing uuid;
BEGIN
  SELECT r.visit_id INTO v_missing FROM new_rows r
  WHERE NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = r.visit_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "invitations" violates its reference to "visits"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (visit_id)=(%s) is not present in table "visits".', v_missing);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION kaiku_invitation_visit_exists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = NEW.visit_id) THEN
    RAISE EXCEPTION 'insert or update on table "invitations" violates its reference to "visits"'
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (visit_id)=(%s) is not present in table "visits".', NEW.visit_id);
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION kaiku_visit_not_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM invitations i WHERE i.visit_id = OLD.id) THEN
    RAISE EXCEPTION '% on table "visits" violates the reference from "invitations"', lower(TG_OP)
      USING ERRCODE = 'foreign_key_violation', DETAIL = format('Key (id)=(%s) is still referenced from table "invitations".', OLD.id);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER invitations_visit_exists AFTER INSERT ON invitations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kaiku_invitations_visit_exists();
CREATE TRIGGER invitations_visit_changed AFTER UPDATE OF visit_id ON invitations
  FOR EACH ROW WHEN (OLD.visit_id IS DISTINCT FROM NEW.visit_id) EXECUTE FUNCTION kaiku_invitation_visit_exists();
CREATE TRIGGER visits_not_referenced_delete AFTER DELETE ON visits
  FOR EACH ROW EXECUTE FUNCTION kaiku_visit_not_referenced();
CREATE TRIGGER visits_not_referenced_update AFTER UPDATE OF id ON visits
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION kaiku_visit_not_referenced();

-- Down Migration
DROP TRIGGER IF EXISTS visits_not_referenced_update ON visits;
DROP TRIGGER IF EXISTS visits_not_referenced_delete ON visits;
DROP TRIGGER IF EXISTS invitations_visit_changed ON invitations;
DROP TRIGGER IF EXISTS invitations_visit_exists ON invitations;
DROP FUNCTION IF EXISTS kaiku_visit_not_referenced(), kaiku_invitation_visit_exists(), kaiku_invitations_visit_exists();
ALTER TABLE invitations ADD CONSTRAINT invitations_visit_id_fkey FOREIGN KEY (visit_id) REFERENCES visits (id);
ALTER TABLE outbox ADD CONSTRAINT outbox_invitation_id_fkey FOREIGN KEY (invitation_id) REFERENCES invitations (id);
