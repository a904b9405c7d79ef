-- The effective Guardian policy as revisions (who, when, why, what changed), and proposals that
-- weaken it, waiting for approval by quorum. Approvals of proposals are approval_statements rows
-- with subject policy:<proposal id>.
CREATE TABLE `policy_revisions` (
	`revision` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`policy_json` text NOT NULL,
	`sha256` text NOT NULL,
	`source` text NOT NULL,
	`file_sha256` text,
	`proposal_id` text,
	`changes` text NOT NULL,
	`actor` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `policy_revisions_file` ON `policy_revisions` (`file_sha256`);
--> statement-breakpoint
-- History is written once: a restore is a new revision, never an edit of an old one.
CREATE TRIGGER policy_revisions_no_update BEFORE UPDATE ON policy_revisions
BEGIN SELECT RAISE(ABORT, 'policy_revisions is append-only: UPDATE refused'); END;
--> statement-breakpoint
CREATE TRIGGER policy_revisions_no_delete BEFORE DELETE ON policy_revisions
BEGIN SELECT RAISE(ABORT, 'policy_revisions is append-only: DELETE refused'); END;
--> statement-breakpoint
CREATE TABLE `policy_proposals` (
	`id` text PRIMARY KEY NOT NULL,
	`base_revision` integer NOT NULL,
	`base_sha256` text NOT NULL,
	`candidate_json` text NOT NULL,
	`candidate_sha256` text NOT NULL,
	`restore_of` integer,
	`changes` text NOT NULL,
	`proposer_user_id` text NOT NULL,
	`proposer` text NOT NULL,
	`reason` text NOT NULL,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`decided_at` integer,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `policy_proposals_state` ON `policy_proposals` (`state`,`created_at`);
