ALTER TABLE `projects` ADD `confirmed_at` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `sync_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `projects_unconfirmed` ON `projects` (`confirmed_at`,`created_at`);--> statement-breakpoint
ALTER TABLE `tasks` ADD `sync_seq` integer DEFAULT 0 NOT NULL;