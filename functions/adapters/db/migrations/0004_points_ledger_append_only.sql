-- points_ledger is append-only: a balance is the sum of its lines, so a correction is a new line
-- (reverse, adjust), never an edit; members see every line and it must not change under them.
CREATE OR REPLACE FUNCTION points_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'points_ledger is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER points_ledger_no_update_delete BEFORE UPDATE OR DELETE ON points_ledger
  FOR EACH ROW EXECUTE FUNCTION points_ledger_refuse_change();
--> statement-breakpoint
CREATE TRIGGER points_ledger_no_truncate BEFORE TRUNCATE ON points_ledger
  FOR EACH STATEMENT EXECUTE FUNCTION points_ledger_refuse_change();
