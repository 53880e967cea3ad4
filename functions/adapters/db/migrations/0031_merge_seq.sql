ALTER TABLE "identity_merges" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
-- the merges made so far, in the order they were made as far as it is known (created_at, then id)
UPDATE "identity_merges" m SET "seq" = o.rn FROM (SELECT "id", row_number() OVER (ORDER BY "created_at", "id") AS rn FROM "identity_merges") o WHERE o."id" = m."id";--> statement-breakpoint
SELECT setval(pg_get_serial_sequence('identity_merges', 'seq'), coalesce((SELECT max("seq") FROM "identity_merges"), 0) + 1, false);
