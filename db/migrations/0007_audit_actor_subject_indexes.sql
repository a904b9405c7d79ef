CREATE INDEX `audit_events_actor` ON `audit_events` (`actor`);--> statement-breakpoint
CREATE INDEX `audit_events_subject` ON `audit_events` (`subject`);