-- A card's (or a mall account's) last sale that stands is part of its last activity: the linkers' dormancy, the offer
-- to the member and the reviews read it per record (identity.repo.ts lastActiveSql) by one backward probe here, whoever
-- the order's customer is now and before the card's record arrives. Partial: only orders given to a member's card or
-- account, and only sales not refunded whole.
CREATE INDEX "orders_member_sales_idx" ON "orders" USING btree ("source","member_source_id","ordered_at") WHERE "orders"."member_source_id" is not null and "orders"."kind" = 'sale' and "orders"."refunded_at" is null;