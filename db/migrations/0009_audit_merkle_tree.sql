CREATE TABLE `audit_tree_nodes` (
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hash` blob NOT NULL,
	PRIMARY KEY(`level`, `idx`)
);
--> statement-breakpoint
ALTER TABLE `audit_checkpoints` ADD `root` text;--> statement-breakpoint
ALTER TABLE `audit_checkpoints` ADD `note` text;