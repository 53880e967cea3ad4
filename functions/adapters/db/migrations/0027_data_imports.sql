CREATE TABLE "data_imports" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"mapping" text NOT NULL,
	"file_name" text NOT NULL,
	"content_sha256" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"status" text NOT NULL,
	"content" text,
	"rows_total" integer NOT NULL,
	"rows_done" integer DEFAULT 0 NOT NULL,
	"lease_until" timestamp with time zone,
	"summary" jsonb,
	"error" text,
	"staff_id" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "data_imports" ADD CONSTRAINT "data_imports_staff_id_staff_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "data_imports_content_uq" ON "data_imports" USING btree ("content_sha256","mapping");--> statement-breakpoint
CREATE INDEX "data_imports_started_idx" ON "data_imports" USING btree ("started_at");