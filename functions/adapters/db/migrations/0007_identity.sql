CREATE TABLE "blocked_values" (
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"reason" text NOT NULL,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "blocked_values_kind_value_pk" PRIMARY KEY("kind","value")
);
--> statement-breakpoint
CREATE TABLE "held_links" (
	"id" text PRIMARY KEY NOT NULL,
	"record_id" text NOT NULL,
	"candidate_customer_id" text NOT NULL,
	"phone" text,
	"reason" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"merge_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_merge_moves" (
	"merge_id" text NOT NULL,
	"table_name" text NOT NULL,
	"row_id" text NOT NULL,
	"from_customer_id" text NOT NULL,
	CONSTRAINT "identity_merge_moves_merge_id_table_name_row_id_pk" PRIMARY KEY("merge_id","table_name","row_id")
);
--> statement-breakpoint
CREATE TABLE "identity_merges" (
	"id" text PRIMARY KEY NOT NULL,
	"survivor_id" text NOT NULL,
	"merged_id" text NOT NULL,
	"rule" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"actor_kind" text NOT NULL,
	"actor_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"undone_at" timestamp with time zone,
	"undone_by" text,
	CONSTRAINT "identity_merges_distinct_ck" CHECK ("identity_merges"."survivor_id" <> "identity_merges"."merged_id")
);
--> statement-breakpoint
CREATE TABLE "ingest_quarantine" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"source_id" text,
	"key_id" text,
	"request_id" text,
	"reason" text NOT NULL,
	"payload" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "integration_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"direction" text NOT NULL,
	"operation" text NOT NULL,
	"key_id" text,
	"store_id" text,
	"status" text NOT NULL,
	"latency_ms" integer NOT NULL,
	"records" integer DEFAULT 0 NOT NULL,
	"accepted" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"error" text,
	"request_id" text,
	"summary" jsonb
);
--> statement-breakpoint
CREATE TABLE "merge_suggestions" (
	"id" text PRIMARY KEY NOT NULL,
	"record_a" text NOT NULL,
	"record_b" text NOT NULL,
	"store_id" text,
	"evidence" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"merge_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merge_suggestions_order_ck" CHECK ("merge_suggestions"."record_a" < "merge_suggestions"."record_b")
);
--> statement-breakpoint
CREATE TABLE "source_record_revisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"record_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"replaced_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "source_records" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"origin_customer_id" text NOT NULL,
	"store_id" text,
	"name" text,
	"name_kind" text DEFAULT 'unknown' NOT NULL,
	"surname" text,
	"birthday" date,
	"gender" text DEFAULT 'unknown' NOT NULL,
	"phone" text,
	"phone_verified" boolean DEFAULT false NOT NULL,
	"email" text,
	"province" text,
	"city" text,
	"district" text,
	"last_active" date,
	"payload" jsonb NOT NULL,
	"payload_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "identities_kind_value_source_uq";--> statement-breakpoint
-- rows written before records existed (mini-program logins) are their own record: the openid
UPDATE "identities" SET "source_id" = "value" WHERE "source_id" IS NULL;--> statement-breakpoint
ALTER TABLE "identities" ALTER COLUMN "source_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "identities" ADD COLUMN "quality" text DEFAULT 'valid' NOT NULL;--> statement-breakpoint
ALTER TABLE "held_links" ADD CONSTRAINT "held_links_record_id_source_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."source_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "held_links" ADD CONSTRAINT "held_links_candidate_customer_id_customers_id_fk" FOREIGN KEY ("candidate_customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "held_links" ADD CONSTRAINT "held_links_merge_id_identity_merges_id_fk" FOREIGN KEY ("merge_id") REFERENCES "public"."identity_merges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_merge_moves" ADD CONSTRAINT "identity_merge_moves_merge_id_identity_merges_id_fk" FOREIGN KEY ("merge_id") REFERENCES "public"."identity_merges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_merges" ADD CONSTRAINT "identity_merges_survivor_id_customers_id_fk" FOREIGN KEY ("survivor_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_merges" ADD CONSTRAINT "identity_merges_merged_id_customers_id_fk" FOREIGN KEY ("merged_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merge_suggestions" ADD CONSTRAINT "merge_suggestions_record_a_source_records_id_fk" FOREIGN KEY ("record_a") REFERENCES "public"."source_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merge_suggestions" ADD CONSTRAINT "merge_suggestions_record_b_source_records_id_fk" FOREIGN KEY ("record_b") REFERENCES "public"."source_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merge_suggestions" ADD CONSTRAINT "merge_suggestions_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "merge_suggestions" ADD CONSTRAINT "merge_suggestions_merge_id_identity_merges_id_fk" FOREIGN KEY ("merge_id") REFERENCES "public"."identity_merges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_record_revisions" ADD CONSTRAINT "source_record_revisions_record_id_source_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."source_records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_records" ADD CONSTRAINT "source_records_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_records" ADD CONSTRAINT "source_records_origin_customer_id_customers_id_fk" FOREIGN KEY ("origin_customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_records" ADD CONSTRAINT "source_records_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "held_links_record_candidate_uq" ON "held_links" USING btree ("record_id","candidate_customer_id");--> statement-breakpoint
CREATE INDEX "held_links_candidate_idx" ON "held_links" USING btree ("candidate_customer_id","status");--> statement-breakpoint
CREATE INDEX "identity_merge_moves_row_idx" ON "identity_merge_moves" USING btree ("table_name","row_id");--> statement-breakpoint
CREATE INDEX "identity_merges_survivor_idx" ON "identity_merges" USING btree ("survivor_id");--> statement-breakpoint
CREATE INDEX "identity_merges_merged_idx" ON "identity_merges" USING btree ("merged_id");--> statement-breakpoint
CREATE INDEX "ingest_quarantine_source_idx" ON "ingest_quarantine" USING btree ("source","created_at");--> statement-breakpoint
CREATE INDEX "integration_log_source_idx" ON "integration_log" USING btree ("source","at");--> statement-breakpoint
CREATE UNIQUE INDEX "merge_suggestions_pair_uq" ON "merge_suggestions" USING btree ("record_a","record_b");--> statement-breakpoint
CREATE INDEX "merge_suggestions_store_idx" ON "merge_suggestions" USING btree ("store_id","status");--> statement-breakpoint
CREATE INDEX "source_record_revisions_record_idx" ON "source_record_revisions" USING btree ("record_id");--> statement-breakpoint
CREATE UNIQUE INDEX "source_records_source_uq" ON "source_records" USING btree ("source","source_id");--> statement-breakpoint
CREATE INDEX "source_records_customer_idx" ON "source_records" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "source_records_phone_idx" ON "source_records" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "source_records_name_birthday_idx" ON "source_records" USING btree ("name","birthday");--> statement-breakpoint
CREATE UNIQUE INDEX "identities_kind_value_source_record_uq" ON "identities" USING btree ("kind","value","source","source_id");--> statement-breakpoint
CREATE INDEX "identities_record_idx" ON "identities" USING btree ("source","source_id");