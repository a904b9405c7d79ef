CREATE TABLE `agents` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`owner_user_id` text NOT NULL,
	`token_id` text NOT NULL,
	`token_sha256` text NOT NULL,
	`scopes` text NOT NULL,
	`rate_per_hour` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`revoked_by` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `agents_name` ON `agents` (`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `agents_token_id` ON `agents` (`token_id`);--> statement-breakpoint
CREATE TABLE `approval_statements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject` text NOT NULL,
	`keyid` text NOT NULL,
	`user_id` text NOT NULL,
	`decision` text NOT NULL,
	`payload` text NOT NULL,
	`sig` text NOT NULL,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `approval_statements_subject` ON `approval_statements` (`subject`);--> statement-breakpoint
CREATE UNIQUE INDEX `approval_statements_sig` ON `approval_statements` (`sig`);--> statement-breakpoint
CREATE TABLE `approver_keys` (
	`keyid` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`bound_by` text NOT NULL,
	`bound_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `submissions` (
	`id` text PRIMARY KEY NOT NULL,
	`agent_id` text NOT NULL,
	`owner_user_id` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`purpose` text NOT NULL,
	`manifest_json` text NOT NULL,
	`manifest_sha256` text NOT NULL,
	`wasm` blob NOT NULL,
	`wasm_sha256` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`state` text NOT NULL,
	`policy_name` text NOT NULL,
	`policy_revision` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_at` integer,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `submissions_state` ON `submissions` (`state`,`created_at`);--> statement-breakpoint
CREATE INDEX `submissions_digest` ON `submissions` (`wasm_sha256`,`manifest_sha256`);--> statement-breakpoint
CREATE INDEX `submissions_agent` ON `submissions` (`agent_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `submissions_name` ON `submissions` (`name`,`state`,`created_at`);