CREATE TABLE `run_denied_rules` (
	`run_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`phase` text NOT NULL,
	`rule` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `run_denied_rules_rule` ON `run_denied_rules` (`rule`,`started_at`);--> statement-breakpoint
CREATE INDEX `runs_threat` ON `runs` (`threat_score`,`started_at`,`module_name`);