CREATE TABLE "identity_separations" (
	"id" text PRIMARY KEY NOT NULL,
	"record_a" text NOT NULL,
	"record_b" text NOT NULL,
	"merge_id" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" text,
	"lift_merge_id" text,
	CONSTRAINT "identity_separations_order_ck" CHECK ("identity_separations"."record_a" < "identity_separations"."record_b")
);
--> statement-breakpoint
ALTER TABLE "identity_separations" ADD CONSTRAINT "identity_separations_record_a_source_records_id_fk" FOREIGN KEY ("record_a") REFERENCES "public"."source_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_separations" ADD CONSTRAINT "identity_separations_record_b_source_records_id_fk" FOREIGN KEY ("record_b") REFERENCES "public"."source_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_separations" ADD CONSTRAINT "identity_separations_merge_id_identity_merges_id_fk" FOREIGN KEY ("merge_id") REFERENCES "public"."identity_merges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_separations" ADD CONSTRAINT "identity_separations_lift_merge_id_identity_merges_id_fk" FOREIGN KEY ("lift_merge_id") REFERENCES "public"."identity_merges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "identity_separations_merge_uq" ON "identity_separations" USING btree ("merge_id");--> statement-breakpoint
CREATE INDEX "identity_separations_a_idx" ON "identity_separations" USING btree ("record_a") WHERE lifted_at is null;--> statement-breakpoint
CREATE INDEX "identity_separations_b_idx" ON "identity_separations" USING btree ("record_b") WHERE lifted_at is null;