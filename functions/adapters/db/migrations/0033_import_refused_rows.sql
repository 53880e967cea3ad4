ALTER TABLE "data_imports" ADD COLUMN "refused_text" text;--> statement-breakpoint
ALTER TABLE "data_imports" ADD COLUMN "refused_rows" integer DEFAULT 0 NOT NULL;