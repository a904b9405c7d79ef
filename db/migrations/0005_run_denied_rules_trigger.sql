-- Fills run_denied_rules from each denied run's decision record (pre and post verdict rules that
-- failed), in the same transaction as the runs insert. Runs are never updated, so insert is enough.
CREATE TRIGGER runs_denied_rules_fill AFTER INSERT ON runs WHEN NEW.decision = 'deny'
BEGIN
  INSERT INTO run_denied_rules (run_id, started_at, phase, rule)
  SELECT NEW.id, NEW.started_at, 'pre', json_extract(r.value, '$.id')
    FROM json_each(NEW.record, '$.pre.rules') AS r WHERE json_extract(r.value, '$.outcome') = 'fail'
  UNION ALL
  SELECT NEW.id, NEW.started_at, 'post', json_extract(r.value, '$.id')
    FROM json_each(NEW.record, '$.post.rules') AS r WHERE json_extract(r.value, '$.outcome') = 'fail';
END;
--> statement-breakpoint
-- Backfill the runs recorded before this migration.
INSERT INTO run_denied_rules (run_id, started_at, phase, rule)
SELECT runs.id, runs.started_at, 'pre', json_extract(r.value, '$.id')
  FROM runs, json_each(runs.record, '$.pre.rules') AS r
  WHERE runs.decision = 'deny' AND json_extract(r.value, '$.outcome') = 'fail'
UNION ALL
SELECT runs.id, runs.started_at, 'post', json_extract(r.value, '$.id')
  FROM runs, json_each(runs.record, '$.post.rules') AS r
  WHERE runs.decision = 'deny' AND json_extract(r.value, '$.outcome') = 'fail';
