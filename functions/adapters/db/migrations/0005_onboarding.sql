CREATE TABLE "consent_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"purpose" text NOT NULL,
	"granted" boolean NOT NULL,
	"version" text NOT NULL,
	"source" text NOT NULL,
	"identity_id" text,
	"request_id" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "member_codes" (
	"code" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"identity_id" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "member_codes_code_ck" CHECK ("member_codes"."code" ~ '^[0-9]{18}$'),
	CONSTRAINT "member_codes_expiry_ck" CHECK ("member_codes"."expires_at" > "member_codes"."issued_at")
);
--> statement-breakpoint
CREATE TABLE "phone_code_exchanges" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"identity_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"phone" text,
	"country_code" text,
	"error_code" text,
	"replays" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "phone_code_exchanges_done_ck" CHECK ("phone_code_exchanges"."status" <> 'done' or "phone_code_exchanges"."phone" is not null)
);
--> statement-breakpoint
CREATE TABLE "signup_attributions" (
	"id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"store_id" text,
	"clerk_staff_id" text,
	"identity_id" text NOT NULL,
	"scene" text,
	"new_customer" boolean NOT NULL,
	"signed_up_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signup_qr_codes" (
	"id" text PRIMARY KEY NOT NULL,
	"store_id" text NOT NULL,
	"clerk_staff_id" text,
	"scene" text NOT NULL,
	"page" text NOT NULL,
	"png_base64" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "signup_qr_scene_ck" CHECK (length("signup_qr_codes"."scene") between 1 and 32)
);
--> statement-breakpoint
ALTER TABLE "consent_records" ADD CONSTRAINT "consent_records_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_codes" ADD CONSTRAINT "member_codes_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "phone_code_exchanges" ADD CONSTRAINT "phone_code_exchanges_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_attributions" ADD CONSTRAINT "signup_attributions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_attributions" ADD CONSTRAINT "signup_attributions_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_attributions" ADD CONSTRAINT "signup_attributions_clerk_staff_id_staff_id_fk" FOREIGN KEY ("clerk_staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_attributions" ADD CONSTRAINT "signup_attributions_identity_id_identities_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_qr_codes" ADD CONSTRAINT "signup_qr_codes_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signup_qr_codes" ADD CONSTRAINT "signup_qr_codes_clerk_staff_id_staff_id_fk" FOREIGN KEY ("clerk_staff_id") REFERENCES "public"."staff"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consent_records_customer_idx" ON "consent_records" USING btree ("customer_id","purpose","id");--> statement-breakpoint
CREATE INDEX "member_codes_expires_idx" ON "member_codes" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "member_codes_identity_idx" ON "member_codes" USING btree ("identity_id","issued_at");--> statement-breakpoint
CREATE INDEX "phone_code_exchanges_created_idx" ON "phone_code_exchanges" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "signup_attributions_customer_uq" ON "signup_attributions" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "signup_attributions_store_idx" ON "signup_attributions" USING btree ("store_id","signed_up_at");--> statement-breakpoint
CREATE INDEX "signup_attributions_clerk_idx" ON "signup_attributions" USING btree ("clerk_staff_id","signed_up_at");--> statement-breakpoint
CREATE UNIQUE INDEX "signup_qr_store_clerk_uq" ON "signup_qr_codes" USING btree ("store_id",coalesce("clerk_staff_id", ''));--> statement-breakpoint
CREATE UNIQUE INDEX "signup_qr_scene_uq" ON "signup_qr_codes" USING btree ("scene");