ALTER TABLE "coupon_templates" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "coupon_templates" ADD COLUMN "status" text DEFAULT 'active' NOT NULL;--> statement-breakpoint
-- a template switched off before statuses existed issued nothing and had no way back: it has ended
UPDATE "coupon_templates" SET "status" = 'ended' WHERE NOT "active";--> statement-breakpoint
ALTER TABLE "coupon_templates" DROP COLUMN "active";--> statement-breakpoint
ALTER TABLE "coupon_templates" ADD CONSTRAINT "coupon_templates_status_ck" CHECK ("coupon_templates"."status" in ('active', 'paused', 'ended'));