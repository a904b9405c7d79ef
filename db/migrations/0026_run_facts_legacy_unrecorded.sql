-- Migration 0024 kept "was the module a legacy import" as 0 for runs whose record does not say
-- (records written before module.legacy, 89b9c62). Tenant folders could be imported from the first
-- release on, so "not recorded" is not "a bundle": those runs get null, as the recorder writes for
-- them now (server/core/guardian/run-facts.ts), and simulation tries both answers instead of one.
UPDATE `runs` SET `guardian_facts` = json_replace(`guardian_facts`, '$[4]', json('null'))
WHERE `guardian_facts` IS NOT NULL
  AND (SELECT json_type(coalesce(rr.record, ae.payload), '$.module.legacy')
         FROM runs r2
         LEFT JOIN run_records rr ON rr.run_id = r2.id
         LEFT JOIN audit_events ae ON ae.seq = r2.audit_seq AND ae.action = 'run.decided' AND ae.subject = 'run:' || r2.id
        WHERE r2.id = `runs`.`id`) IS NULL;
