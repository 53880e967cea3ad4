-- Free space in the pages of the tables a merge rewrites (the bulk re-link moves a third of their rows at an
-- initial migration): an UPDATE that changes no indexed column stays on its page as a heap-only tuple (HOT) and
-- writes no index entry, so the bulk linker sets aside and rebuilds only the indexes on the columns it updates
-- (identity-bulk-merge.repo.ts). Applies to pages written from now on.
ALTER TABLE "source_records" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "identities" SET (fillfactor = 70);--> statement-breakpoint
ALTER TABLE "customers" SET (fillfactor = 70);
