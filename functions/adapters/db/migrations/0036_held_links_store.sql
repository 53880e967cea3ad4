-- A store's review queue (会员合并建议, 共用手机号的会员卡) pages through the holds of its own cards. It used to walk
-- the chain's open holds oldest first and keep those whose record is the store's: about 18,000 of them at 10^6
-- members for a page and its count. The held record's store now sits on the hold, indexed.
ALTER TABLE "held_links" ADD COLUMN "store_id" text;--> statement-breakpoint
UPDATE "held_links" h SET "store_id" = r."store_id" FROM "source_records" r
  WHERE r."id" = h."record_id" AND r."store_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "held_links_open_store_idx" ON "held_links" USING btree ("store_id","created_at","id") WHERE "held_links"."status" = 'open';--> statement-breakpoint
-- The copy follows its record: a till's re-sync that moves a card to another store moves the card's holds to that
-- store's queue in the same statement, whichever code path wrote the record. (The bulk job's merges set customer_id
-- only, which does not fire it.)
CREATE OR REPLACE FUNCTION held_links_follow_record_store() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE held_links SET store_id = NEW.store_id
    WHERE record_id = NEW.id AND store_id IS DISTINCT FROM NEW.store_id;
  RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER source_records_store_to_holds AFTER UPDATE OF store_id ON source_records
  FOR EACH ROW WHEN (OLD.store_id IS DISTINCT FROM NEW.store_id)
  EXECUTE FUNCTION held_links_follow_record_store();
