-- An answer to an invitation is personal data: it is never stored for a contact who has not accepted
-- a consent note (contacts.consent_version is null). The engine runs no flow before consent and ingest
-- skips such a contact; this is the last guard, whatever writes the row.
CREATE FUNCTION "rsvps_need_consent"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "contacts" WHERE "id" = NEW."contact_id" AND "consent_version" IS NOT NULL) THEN
    RAISE EXCEPTION 'rsvp for contact % without consent', NEW."contact_id" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "rsvps_need_consent" BEFORE INSERT OR UPDATE OF "contact_id" ON "rsvps"
  FOR EACH ROW EXECUTE FUNCTION "rsvps_need_consent"();
