-- The decision record is stored once: the run.decided audit event's payload (hash-chained, so
-- authoritative) is the record, and runs.audit_seq points at it. runs.record was a second copy of
-- about 6 KB per run (plus its overflow pages in the WAL).
--
-- 1. What the hot path read out of runs.record as JSON before every run (RunHistory: recent runs
--    whose sandbox refused calls) becomes a number, backfilled from the records.
ALTER TABLE `runs` ADD COLUMN `capability_denials` integer NOT NULL DEFAULT 0;
--> statement-breakpoint
UPDATE `runs` SET `capability_denials` = coalesce(json_array_length(`record`, '$.execution.capabilityDenials'), 0);
--> statement-breakpoint
-- 2. A run whose audit_seq does not point at its own run.decided event (never written that way by
--    the recorder, which writes both in one transaction) keeps its record here, so nothing is lost.
CREATE TABLE `run_records` (
	`run_id` text PRIMARY KEY NOT NULL,
	`record` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `run_records` (`run_id`, `record`)
SELECT r.`id`, r.`record` FROM `runs` r
WHERE NOT EXISTS (
  SELECT 1 FROM `audit_events` e WHERE e.`seq` = r.`audit_seq` AND e.`action` = 'run.decided' AND e.`subject` = 'run:' || r.`id`
);
--> statement-breakpoint
-- 3. The trigger read NEW.record; SQLite refuses to drop a column a trigger names.
DROP TRIGGER `runs_denied_rules_fill`;
--> statement-breakpoint
ALTER TABLE `runs` DROP COLUMN `record`;
--> statement-breakpoint
-- The recorder appends run.decided before the run row, in the same transaction: the record is there.
CREATE TRIGGER runs_denied_rules_fill AFTER INSERT ON runs WHEN NEW.decision = 'deny'
BEGIN
  INSERT INTO run_denied_rules (run_id, started_at, phase, rule)
  SELECT NEW.id, NEW.started_at, 'pre', json_extract(r.value, '$.id')
    FROM audit_events e, json_each(e.payload, '$.pre.rules') AS r
    WHERE e.seq = NEW.audit_seq AND json_extract(r.value, '$.outcome') = 'fail'
  UNION ALL
  SELECT NEW.id, NEW.started_at, 'post', json_extract(r.value, '$.id')
    FROM audit_events e, json_each(e.payload, '$.post.rules') AS r
    WHERE e.seq = NEW.audit_seq AND json_extract(r.value, '$.outcome') = 'fail';
END;
--> statement-breakpoint
-- 4. runs_module widened to cover RunHistory's "newest 100 runs of this module" count, so it never
--    reads a row; every query that used (module_name, started_at) still has that prefix.
DROP INDEX `runs_module`;
--> statement-breakpoint
CREATE INDEX `runs_module` ON `runs` (`module_name`,`started_at`,`outcome`,`capability_denials`);
