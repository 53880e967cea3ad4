-- an order number is a store's receipt number: two stores' tills may print the same one for two sales (the second
-- was answered with the first store's order and member, and earned nothing). The new key is added before the old
-- one goes, so an order number is never without one; the old key's rows are unique on the new one as well. The
-- store is last: a lookup by the number alone reads the same index range as before.
ALTER TABLE "orders" ADD CONSTRAINT "orders_source_store_external_uq" UNIQUE NULLS NOT DISTINCT("source","external_id","store_id");--> statement-breakpoint
DROP INDEX "orders_source_external_uq";
