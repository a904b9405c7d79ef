CREATE TABLE `audit_checkpoints` (
	`seq` integer PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`time` text NOT NULL,
	`keyid` text NOT NULL,
	`signature` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`time` text NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`payload` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_action` ON `audit_events` (`action`);--> statement-breakpoint
CREATE INDEX `audit_events_time` ON `audit_events` (`time`);--> statement-breakpoint
CREATE TABLE `module_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`tenant` text NOT NULL,
	`description` text NOT NULL,
	`source` text NOT NULL,
	`wasm_sha256` text NOT NULL,
	`manifest_sha256` text NOT NULL,
	`manifest_json` text NOT NULL,
	`envelope_json` text NOT NULL,
	`signer_keyids` text NOT NULL,
	`wasm` blob NOT NULL,
	`size_bytes` integer NOT NULL,
	`imported_by` text NOT NULL,
	`imported_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `module_versions_name_version` ON `module_versions` (`name`,`version`);--> statement-breakpoint
CREATE INDEX `module_versions_digest` ON `module_versions` (`wasm_sha256`);--> statement-breakpoint
CREATE TABLE `trust_keys` (
	`keyid` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`public_key` text NOT NULL,
	`status` text NOT NULL,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL,
	`revoked_at` integer,
	`revoked_by` text,
	`revoke_reason` text
);
