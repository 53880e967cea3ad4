DROP INDEX "coupons_customer_idx";--> statement-breakpoint
CREATE INDEX "coupons_customer_idx" ON "coupons" USING btree ("customer_id","valid_until");