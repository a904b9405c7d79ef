CREATE TABLE `licenses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`text` text NOT NULL,
	`sha256` text NOT NULL,
	`license_id` text NOT NULL,
	`licensee` text NOT NULL,
	`expires_at` integer NOT NULL,
	`installed_at` integer NOT NULL,
	`installed_by` text NOT NULL
);
--> statement-breakpoint
CREATE TRIGGER `licenses_no_update` BEFORE UPDATE ON `licenses` BEGIN SELECT RAISE(ABORT, 'licenses are append-only'); END;
