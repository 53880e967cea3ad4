CREATE TABLE "partner_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"store_id" text,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "partner_keys_pos_store_ck" CHECK ("partner_keys"."source" <> 'pos' or "partner_keys"."store_id" is not null),
	CONSTRAINT "partner_keys_secret_ck" CHECK (length("partner_keys"."secret") >= 32)
);
--> statement-breakpoint
ALTER TABLE "partner_keys" ADD CONSTRAINT "partner_keys_store_id_stores_id_fk" FOREIGN KEY ("store_id") REFERENCES "public"."stores"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "partner_keys_store_idx" ON "partner_keys" USING btree ("store_id");