CREATE TABLE `router_outcomes_applied` (
	`id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
