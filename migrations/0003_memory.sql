CREATE TABLE `memory_vectors` (
	`project_id` text NOT NULL,
	`id` text NOT NULL,
	`task_id` text NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`embedder` text NOT NULL,
	`vector` blob NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `memory_vectors_scan` ON `memory_vectors` (`project_id`,`embedder`,`id`);--> statement-breakpoint
CREATE INDEX `memory_vectors_age` ON `memory_vectors` (`project_id`,`created_at`);