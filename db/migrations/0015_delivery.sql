CREATE TABLE `delivery_destinations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`config` text NOT NULL,
	`secret` text,
	`enabled` integer NOT NULL,
	`cursor` integer NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`last_success_at` integer,
	`last_error` text,
	`last_error_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `delivery_destinations_name` ON `delivery_destinations` (`name`);
--> statement-breakpoint
CREATE TABLE `delivery_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`destination_id` text NOT NULL REFERENCES `delivery_destinations`(`id`),
	`first_seq` integer NOT NULL,
	`last_seq` integer NOT NULL,
	`events` integer NOT NULL,
	`attempt` integer NOT NULL,
	`ok` integer NOT NULL,
	`http_status` integer,
	`error` text,
	`latency_ms` integer NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_destination` ON `delivery_attempts` (`destination_id`, `id`);
