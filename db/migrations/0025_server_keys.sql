-- The server keys that signed this log's checkpoints and the seq range each may sign, kept when
-- the key is rotated (nightcore server-key rotate). `rotation` is the record both keys signed (the
-- payload of the server.key_rotated event); NULL for the first key. Rows are never deleted, and a
-- row changes once: when its key is retired.
CREATE TABLE `server_keys` (
	`keyid` text PRIMARY KEY NOT NULL,
	`public_key` text NOT NULL,
	`from_seq` integer NOT NULL,
	`until_seq` integer,
	`valid_from` text,
	`retired_at` text,
	`rotation` text
);
--> statement-breakpoint
CREATE TRIGGER server_keys_no_delete BEFORE DELETE ON server_keys
BEGIN SELECT RAISE(ABORT, 'server_keys keeps every key: DELETE refused'); END;
--> statement-breakpoint
CREATE TRIGGER server_keys_retire_once BEFORE UPDATE ON server_keys
WHEN OLD.until_seq IS NOT NULL OR NEW.until_seq IS NULL OR NEW.retired_at IS NULL
  OR NEW.keyid IS NOT OLD.keyid OR NEW.public_key IS NOT OLD.public_key OR NEW.from_seq IS NOT OLD.from_seq
  OR NEW.valid_from IS NOT OLD.valid_from OR NEW.rotation IS NOT OLD.rotation
BEGIN SELECT RAISE(ABORT, 'server_keys: a key only changes when it is retired, once'); END;
