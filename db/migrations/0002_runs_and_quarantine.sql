CREATE TABLE `quarantine` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`module_name` text NOT NULL,
	`wasm_sha256` text NOT NULL,
	`reason` text NOT NULL,
	`source` text NOT NULL,
	`run_id` text,
	`since` integer NOT NULL,
	`by` text NOT NULL,
	`released_at` integer,
	`released_by` text,
	`release_reason` text
);
--> statement-breakpoint
CREATE INDEX `quarantine_digest` ON `quarantine` (`wasm_sha256`,`released_at`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`module_version_id` integer NOT NULL,
	`module_name` text NOT NULL,
	`module_version` text NOT NULL,
	`tenant` text NOT NULL,
	`wasm_sha256` text NOT NULL,
	`actor` text NOT NULL,
	`started_at` integer NOT NULL,
	`decision` text NOT NULL,
	`outcome` text NOT NULL,
	`exit_code` integer,
	`threat_score` integer NOT NULL,
	`fuel_used` integer NOT NULL,
	`wall_ms` integer NOT NULL,
	`policy_name` text NOT NULL,
	`policy_revision` integer NOT NULL,
	`seed` text NOT NULL,
	`output_sha256` text NOT NULL,
	`stdin` blob NOT NULL,
	`stdout` blob NOT NULL,
	`stderr` blob NOT NULL,
	`record` text NOT NULL,
	`audit_seq` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `runs_started` ON `runs` (`started_at`);--> statement-breakpoint
CREATE INDEX `runs_module` ON `runs` (`module_name`,`started_at`);--> statement-breakpoint
CREATE INDEX `runs_decision` ON `runs` (`decision`,`started_at`);