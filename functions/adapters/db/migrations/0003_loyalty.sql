CREATE TABLE "coupon_member_counts" (
	"template_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"issued" integer NOT NULL,
	CONSTRAINT "coupon_member_counts_template_id_customer_id_pk" PRIMARY KEY("template_id","customer_id"),
	CONSTRAINT "coupon_member_counts_ck" CHECK ("coupon_member_counts"."issued" >= 0)
);
--> statement-breakpoint
CREATE TABLE "coupon_redemptions" (
	"id" text PRIMARY KEY NOT NULL,
	"coupon_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"store_id" text NOT NULL,
	"key_id" text,
	"external_order_id" text,
	"order_amount_fen" integer NOT NULL,
	"discount_fen" integer NOT NULL,
	"status" text DEFAULT 'redeemed' NOT NULL,
	"redeemed_at" timestamp with time zone NOT NULL,
	"voided_at" timestamp with time zone,
	"coupon_returned" boolean,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "coupon_redemptions_amounts_ck" CHECK ("coupon_redemptions"."order_amount_fen" >= 0 and "coupon_redemptions"."discount_fen" >= 0),
	CONSTRAINT "coupon_redemptions_void_ck" CHECK (("coupon_redemptions"."status" = 'voided') = ("coupon_redemptions"."voided_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "coupon_templates" (
	"id" text PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"amount_off_fen" integer,
	"percent_off" integer,
	"max_discount_fen" integer,
	"threshold_fen" integer DEFAULT 0 NOT NULL,
	"validity_kind" text NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"valid_days" integer,
	"total_stock" integer,
	"issued_count" integer DEFAULT 0 NOT NULL,
	"per_member_limit" integer,
	"store_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"include_rx" boolean DEFAULT false NOT NULL,
	"owner_store_id" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "coupon_templates_kind_ck" CHECK (("coupon_templates"."kind" = 'amount_off' and "coupon_templates"."amount_off_fen" > 0 and "coupon_templates"."percent_off" is null)
        or ("coupon_templates"."kind" = 'percent_off' and "coupon_templates"."percent_off" between 1 and 99 and "coupon_templates"."amount_off_fen" is null)),
	CONSTRAINT "coupon_templates_validity_ck" CHECK (("coupon_templates"."validity_kind" = 'fixed' and "coupon_templates"."valid_from" is not null and "coupon_templates"."valid_until" > "coupon_templates"."valid_from")
        or ("coupon_templates"."validity_kind" = 'relative' and "coupon_templates"."valid_days" between 1 and 3660)),
	CONSTRAINT "coupon_templates_amounts_ck" CHECK ("coupon_templates"."threshold_fen" >= 0 and ("coupon_templates"."max_discount_fen" is null or "coupon_templates"."max_discount_fen" > 0)
        and ("coupon_templates"."total_stock" is null or "coupon_templates"."total_stock" >= 0) and "coupon_templates"."issued_count" >= 0
        and ("coupon_templates"."total_stock" is null or "coupon_templates"."issued_count" <= "coupon_templates"."total_stock")
        and ("coupon_templates"."per_member_limit" is null or "coupon_templates"."per_member_limit" >= 1))
);
--> statement-breakpoint
CREATE TABLE "coupons" (
	"id" text PRIMARY KEY NOT NULL,
	"template_id" text NOT NULL,
	"customer_id" text NOT NULL,
	"code" text NOT NULL,
	"status" text DEFAULT 'available' NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"issue_key" text NOT NULL,
	"issued_store_id" text,
	"issued_by" text,
	"issued_at" timestamp with time zone NOT NULL,
	"redeemed_at" timestamp with time zone,
	"redeemed_store_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "coupons_validity_ck" CHECK ("coupons"."valid_until" > "coupons"."valid_from"),
	CONSTRAINT "coupons_redeemed_ck" CHECK (("coupons"."status" = 'redeemed') = ("coupons"."redeemed_at" is not null and "coupons"."redeemed_store_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "partner_requests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"operation" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" integer,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "points_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"kind" text NOT NULL,
	"points" integer NOT NULL,
	"entry_key" text NOT NULL,
	"order_id" text,
	"store_id" text,
	"earn_year" integer,
	"note" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "points_ledger_nonzero_ck" CHECK ("points_ledger"."points" <> 0),
	CONSTRAINT "points_ledger_sign_ck" CHECK (("points_ledger"."kind" = 'earn' and "points_ledger"."points" > 0 and "points_ledger"."earn_year" is not null)
        or ("points_ledger"."kind" in ('spend','expire') and "points_ledger"."points" < 0)
        or "points_ledger"."kind" in ('reverse','adjust'))
);
--> statement-breakpoint
ALTER TABLE "coupon_member_counts" ADD CONSTRAINT "coupon_member_counts_template_id_coupon_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."coupon_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_member_counts" ADD CONSTRAINT "coupon_member_counts_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_coupon_id_coupons_id_fk" FOREIGN KEY ("coupon_id") REFERENCES "public"."coupons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_key_id_partner_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."partner_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_templates" ADD CONSTRAINT "coupon_templates_owner_store_id_stores_id_fk" FOREIGN KEY ("owner_store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_templates" ADD CONSTRAINT "coupon_templates_created_by_staff_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_template_id_coupon_templates_id_fk" FOREIGN KEY ("template_id") REFERENCES "public"."coupon_templates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_issued_store_id_stores_id_fk" FOREIGN KEY ("issued_store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_redeemed_store_id_stores_id_fk" FOREIGN KEY ("redeemed_store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_requests" ADD CONSTRAINT "partner_requests_key_id_partner_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."partner_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_ledger" ADD CONSTRAINT "points_ledger_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_ledger" ADD CONSTRAINT "points_ledger_order_id_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "points_ledger" ADD CONSTRAINT "points_ledger_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "coupon_redemptions_live_uq" ON "coupon_redemptions" USING btree ("coupon_id") WHERE "coupon_redemptions"."status" = 'redeemed';--> statement-breakpoint
CREATE INDEX "coupon_redemptions_store_idx" ON "coupon_redemptions" USING btree ("store_id","redeemed_at");--> statement-breakpoint
CREATE INDEX "coupon_redemptions_order_idx" ON "coupon_redemptions" USING btree ("store_id","external_order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "coupon_templates_code_uq" ON "coupon_templates" USING btree ("code");--> statement-breakpoint
CREATE INDEX "coupon_templates_owner_idx" ON "coupon_templates" USING btree ("owner_store_id");--> statement-breakpoint
CREATE UNIQUE INDEX "coupons_code_uq" ON "coupons" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "coupons_issue_key_uq" ON "coupons" USING btree ("issue_key");--> statement-breakpoint
CREATE INDEX "coupons_customer_idx" ON "coupons" USING btree ("customer_id","status","valid_until");--> statement-breakpoint
CREATE INDEX "coupons_template_idx" ON "coupons" USING btree ("template_id");--> statement-breakpoint
CREATE UNIQUE INDEX "partner_requests_key_uq" ON "partner_requests" USING btree ("key_id","operation","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "points_ledger_entry_uq" ON "points_ledger" USING btree ("entry_key");--> statement-breakpoint
CREATE INDEX "points_ledger_customer_idx" ON "points_ledger" USING btree ("customer_id","occurred_at");