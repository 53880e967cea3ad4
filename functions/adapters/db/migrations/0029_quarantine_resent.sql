ALTER TABLE "ingest_quarantine" ADD COLUMN "resolution" text;--> statement-breakpoint
ALTER TABLE "ingest_quarantine" ADD COLUMN "resolved_by" text;--> statement-breakpoint
CREATE INDEX "ingest_quarantine_open_item_idx" ON "ingest_quarantine" USING btree ("source","kind","source_id") WHERE resolved_at is null;--> statement-breakpoint
-- items marked before 0029 were marked by HQ; a handled item's payload (names, phones) is no longer needed
UPDATE "ingest_quarantine" SET "resolution" = 'handled', "payload" = NULL WHERE "resolved_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE "ingest_quarantine" ADD CONSTRAINT "ingest_quarantine_resolution_ck" CHECK (("ingest_quarantine"."resolved_at" is null) = ("ingest_quarantine"."resolution" is null) and coalesce("ingest_quarantine"."resolution", 'handled') in ('handled', 'resent'));