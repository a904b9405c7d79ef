CREATE TABLE `audit_cosignatures` (
	`seq` integer NOT NULL,
	`witness` text NOT NULL,
	`cosignature` text NOT NULL,
	`signed_at` integer NOT NULL,
	PRIMARY KEY(`witness`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `audit_tree_nodes` (
	`level` integer NOT NULL,
	`idx` integer NOT NULL,
	`hash` blob NOT NULL,
	PRIMARY KEY(`level`, `idx`)
);
--> statement-breakpoint
ALTER TABLE `audit_checkpoints` ADD `root` text;--> statement-breakpoint
ALTER TABLE `audit_checkpoints` ADD `note` text;