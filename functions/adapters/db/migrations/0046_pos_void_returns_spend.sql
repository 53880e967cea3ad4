-- A till's void of an order gives back the points spent on it (/api/pos/points/spend names the receipt number; the
-- order usually arrives after the payment, so the spend keeps the number itself). Adding a nullable column rewrites
-- nothing and fires no row trigger (the ledger's append-only trigger is on UPDATE and DELETE). The wallet finds the
-- coupons a void did not give back (expired by the refund) in a partial index a redemption never enters.
ALTER TABLE "points_ledger" ADD COLUMN "external_order_id" text;--> statement-breakpoint
CREATE INDEX "coupon_redemptions_unreturned_idx" ON "coupon_redemptions" USING btree ("coupon_id") WHERE "coupon_redemptions"."status" = 'voided' and "coupon_redemptions"."coupon_returned" = false;--> statement-breakpoint
CREATE INDEX "points_ledger_till_order_idx" ON "points_ledger" USING btree ("store_id","external_order_id") WHERE "points_ledger"."external_order_id" is not null;