CREATE TABLE `router_stats` (
	`role` text NOT NULL,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`successes` integer DEFAULT 0 NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`role`, `provider`, `model`)
);
