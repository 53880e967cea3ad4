-- Free space in the pages of coupons: a redemption and a void change only a coupon's status and its
-- timestamps, none of them indexed (0018), so with room on the page the UPDATE is heap-only (HOT) and writes no
-- entry into the table's five indexes. Every coupon is updated at most a few times in its life, so 15 % is enough.
-- Applies to pages written from now on (new coupons).
ALTER TABLE "coupons" SET (fillfactor = 85);
