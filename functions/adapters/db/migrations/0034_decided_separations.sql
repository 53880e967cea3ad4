ALTER TABLE "identity_separations" ALTER COLUMN "merge_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "identity_separations" ADD COLUMN "reason" text DEFAULT 'undo' NOT NULL;--> statement-breakpoint
ALTER TABLE "identity_separations" ADD COLUMN "held_link_id" text;--> statement-breakpoint
ALTER TABLE "identity_separations" ADD COLUMN "suggestion_id" text;--> statement-breakpoint
ALTER TABLE "identity_separations" ADD CONSTRAINT "identity_separations_held_link_id_held_links_id_fk" FOREIGN KEY ("held_link_id") REFERENCES "public"."held_links"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_separations" ADD CONSTRAINT "identity_separations_suggestion_id_merge_suggestions_id_fk" FOREIGN KEY ("suggestion_id") REFERENCES "public"."merge_suggestions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "identity_separations_held_uq" ON "identity_separations" USING btree ("held_link_id");--> statement-breakpoint
CREATE UNIQUE INDEX "identity_separations_suggestion_uq" ON "identity_separations" USING btree ("suggestion_id");--> statement-breakpoint
CREATE INDEX "identity_separations_decided_idx" ON "identity_separations" USING btree ("created_at") WHERE reason <> 'undo';--> statement-breakpoint
ALTER TABLE "identity_separations" ADD CONSTRAINT "identity_separations_origin_ck" CHECK (case "identity_separations"."reason" when 'undo' then "identity_separations"."merge_id" is not null and "identity_separations"."held_link_id" is null and "identity_separations"."suggestion_id" is null
            when 'suggestion_rejected' then "identity_separations"."suggestion_id" is not null and "identity_separations"."merge_id" is null and "identity_separations"."held_link_id" is null
            else "identity_separations"."held_link_id" is not null and "identity_separations"."merge_id" is null and "identity_separations"."suggestion_id" is null end);