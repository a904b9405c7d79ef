CREATE TABLE `run_files` (
	`sha256` text PRIMARY KEY NOT NULL,
	`bytes` integer NOT NULL,
	`content` blob NOT NULL
);
