ALTER TABLE "ingest_quarantine" ADD COLUMN "code" text;--> statement-breakpoint
ALTER TABLE "ingest_quarantine" ADD COLUMN "params" jsonb;