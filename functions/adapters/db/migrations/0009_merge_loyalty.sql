ALTER TABLE "points_ledger" DROP CONSTRAINT "points_ledger_sign_ck";--> statement-breakpoint
ALTER TABLE "coupons" ADD COLUMN "voided_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "coupons" ADD COLUMN "void_reason" text;--> statement-breakpoint
ALTER TABLE "coupons" ADD COLUMN "voided_by_merge" text;--> statement-breakpoint
ALTER TABLE "coupons" ADD CONSTRAINT "coupons_voided_ck" CHECK (("coupons"."status" = 'voided') = ("coupons"."voided_at" is not null and "coupons"."void_reason" is not null));--> statement-breakpoint
ALTER TABLE "points_ledger" ADD CONSTRAINT "points_ledger_sign_ck" CHECK (("points_ledger"."kind" = 'earn' and "points_ledger"."points" > 0 and "points_ledger"."earn_year" is not null)
        or ("points_ledger"."kind" in ('spend','expire') and "points_ledger"."points" < 0)
        or "points_ledger"."kind" in ('reverse','adjust','transfer'));