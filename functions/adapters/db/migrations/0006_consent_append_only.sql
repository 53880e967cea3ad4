-- consent_records is append-only for every role (PIPL: proof of what a member agreed to, and when, must not be
-- rewritten; a change of mind is a new row).
CREATE OR REPLACE FUNCTION consent_records_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_records is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER consent_records_no_update_delete BEFORE UPDATE OR DELETE ON consent_records
  FOR EACH ROW EXECUTE FUNCTION consent_records_refuse_change();
--> statement-breakpoint
CREATE TRIGGER consent_records_no_truncate BEFORE TRUNCATE ON consent_records
  FOR EACH STATEMENT EXECUTE FUNCTION consent_records_refuse_change();
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON consent_records FROM PUBLIC;
