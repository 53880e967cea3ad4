CREATE TABLE "closed_member_phones" (
	"customer_id" text NOT NULL,
	"phone_digest" text NOT NULL,
	"had_new_member_coupon" boolean NOT NULL,
	"closed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "closed_member_phones_customer_id_phone_digest_pk" PRIMARY KEY("customer_id","phone_digest")
);
--> statement-breakpoint
ALTER TABLE "signup_attributions" ALTER COLUMN "identity_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "closed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "identity_merges" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "source_records" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "closed_member_phones" ADD CONSTRAINT "closed_member_phones_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "closed_member_phones_digest_idx" ON "closed_member_phones" USING btree ("phone_digest");