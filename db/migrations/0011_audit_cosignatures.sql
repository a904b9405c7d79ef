CREATE TABLE `audit_cosignatures` (
	`seq` integer NOT NULL,
	`witness` text NOT NULL,
	`cosignature` text NOT NULL,
	`signed_at` integer NOT NULL,
	PRIMARY KEY(`witness`, `seq`)
);
