CREATE TABLE "data_quality_reports" (
	"id" text PRIMARY KEY NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"computed_by" text NOT NULL,
	"duration_ms" integer NOT NULL,
	"sources" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "data_quality_reports_at_idx" ON "data_quality_reports" USING btree ("computed_at");