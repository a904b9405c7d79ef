CREATE INDEX `runs_outcome` ON `runs` (`outcome`,`started_at`);--> statement-breakpoint
CREATE INDEX `runs_module_decision` ON `runs` (`module_name`,`decision`,`outcome`);