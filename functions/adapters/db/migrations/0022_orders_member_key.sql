ALTER TABLE "order_lines" ADD COLUMN "product_name" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "member_source_id" text;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "payload_hash" text;--> statement-breakpoint
ALTER TABLE "ingest_quarantine" ADD COLUMN "kind" text DEFAULT 'record' NOT NULL;--> statement-breakpoint
CREATE INDEX "orders_waiting_member_idx" ON "orders" USING btree ("source","member_source_id") WHERE "orders"."customer_id" is null and "orders"."member_source_id" is not null;