-- The compact facts policy simulation needs from each run (server/core/guardian/run-facts.ts), kept
-- with the run so a simulation reads about a hundred bytes per run instead of parsing its full
-- decision record. New runs get them from the recorder (encodeRunFacts); every run recorded before
-- this migration gets them here, from its own record (the run.decided payload, or its kept copy in
-- run_records). The SQL below builds exactly what encodeRunFacts(factsFromRecord(record)) builds
-- (server/services/run-facts-backfill.test.ts). A run without a record keeps NULL, as the
-- simulation skips it either way. `->` keeps each number's text as the record wrote it.
ALTER TABLE `runs` ADD COLUMN `guardian_facts` text;
--> statement-breakpoint
UPDATE `runs` SET `guardian_facts` = f.facts
FROM (
  SELECT rec.id AS id, CASE WHEN j IS NULL THEN NULL ELSE json_array(
    1,
    CASE WHEN json_type(j, '$.verification.ok') = 'true' THEN 1 ELSE 0 END,
    j ->> '$.verification.code',
    (SELECT json_group_array(s.value ->> '$.role' ORDER BY s.key) FROM json_each(j, '$.module.signers') s),
    CASE WHEN coalesce(json_type(j, '$.module.legacy'), 'null') = 'null' THEN 0 ELSE 1 END,
    (SELECT CASE q.value ->> '$.outcome' WHEN 'fail' THEN 1 WHEN 'would_fail' THEN 1 WHEN 'pass' THEN 0 END
       FROM json_each(j, '$.pre.rules') q WHERE q.value ->> '$.id' = 'quarantined' ORDER BY q.key LIMIT 1),
    CASE json_type(j, '$.approval.approved') WHEN 'true' THEN 1 WHEN 'false' THEN 0 END,
    j ->> '$.backend.kind',
    j ->> '$.threat.band',
    json('[' || coalesce((
      SELECT group_concat(i || ',' || u, ',' ORDER BY i) FROM (
        SELECT
          CASE s.value ->> '$.id'
            WHEN 'unknown_signer' THEN 0 WHEN 'first_seen_digest' THEN 1 WHEN 'start_section' THEN 2
            WHEN 'large_custom_sections' THEN 3 WHEN 'requested_capabilities' THEN 4 WHEN 'memory_near_cap' THEN 5
            WHEN 'fuel_near_cap' THEN 6 WHEN 'hash_drift' THEN 7 WHEN 'prior_post_failures' THEN 8
            WHEN 'prior_capability_denials' THEN 9 END AS i,
          CASE WHEN json_type(s.value, '$.weight') IN ('integer', 'real') AND s.value ->> '$.weight' > 0
                AND json_type(s.value, '$.contribution') IN ('integer', 'real')
            THEN CAST(round((s.value ->> '$.contribution') * 1.0 / (s.value ->> '$.weight')) AS INTEGER)
            ELSE 'null' END AS u
        FROM json_each(j, '$.threat.signals') s
        WHERE json_type(s.value, '$.fired') = 'true'
        GROUP BY i
      ) WHERE i IS NOT NULL), '') || ']'),
    (SELECT json_group_array(id ORDER BY first) FROM (
      SELECT x.value ->> '$.id' AS id, min(x.phase * 1000000 + x.key) AS first FROM (
        SELECT value, key, 0 AS phase FROM json_each(j, '$.pre.rules')
        UNION ALL
        SELECT value, key, 1 AS phase FROM json_each(j, '$.post.rules')
      ) x WHERE x.value ->> '$.outcome' = 'fail' GROUP BY x.value ->> '$.id')),
    CASE WHEN json_type(j, '$.execution') = 'object' THEN json_array(
      j ->> '$.execution.outcome.kind',
      CASE WHEN j ->> '$.execution.outcome.kind' = 'ok' THEN j -> '$.execution.outcome.exitCode' END,
      j -> '$.execution.used.fuel',
      j -> '$.execution.used.peakMemoryPages',
      j -> '$.execution.used.wallMs',
      CASE WHEN json_type(j, '$.execution.used.outputBytes') IN ('integer', 'real') THEN j -> '$.execution.used.outputBytes' END,
      CASE WHEN json_type(j, '$.execution.outputTruncated') = 'true' THEN 1 ELSE 0 END,
      (SELECT coalesce(sum(CASE WHEN json_type(d.value, '$.count') IN ('integer', 'real') AND d.value ->> '$.count' > 0
                                THEN CAST(ceil(d.value ->> '$.count') AS INTEGER) ELSE 1 END), 0)
         FROM json_each(j, '$.execution.capabilityDenials') d)
    ) END
  ) END AS facts
  FROM (
    SELECT r.id, jsonb(coalesce(rr.record, ae.payload)) AS j FROM runs r
    LEFT JOIN run_records rr ON rr.run_id = r.id
    LEFT JOIN audit_events ae ON ae.seq = r.audit_seq AND ae.action = 'run.decided' AND ae.subject = 'run:' || r.id
  ) rec
) f
WHERE `runs`.`id` = f.id;
