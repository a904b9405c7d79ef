-- How far crash recovery has looked (server/services/run-reconcile.ts): every run.started at or
-- below this seq has a decision, so an open only looks at the starts after it, not at the last 30
-- days of starts (1.7 s under a write lock at 200,000 runs, on every CLI command). One row at most.
-- Only an optimisation: without the row, an open looks back over the whole window as before.
CREATE TABLE `run_reconcile` (
	`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
	`checked_through_seq` integer NOT NULL
);
