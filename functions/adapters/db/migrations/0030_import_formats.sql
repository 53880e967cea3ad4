CREATE TABLE "import_formats" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"label" text NOT NULL,
	"source" text NOT NULL,
	"fields" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	"archived_by" text,
	CONSTRAINT "import_formats_source_ck" CHECK ("import_formats"."source" in ('pos', 'mall', 'wecom'))
);
--> statement-breakpoint
ALTER TABLE "import_formats" ADD CONSTRAINT "import_formats_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_formats" ADD CONSTRAINT "import_formats_archived_by_staff_id_fk" FOREIGN KEY ("archived_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "import_formats_label_uq" ON "import_formats" USING btree ("label") WHERE archived_at is null;