-- When an admin last unlocked the account: sign-in failures before it no longer count towards the lockout.
ALTER TABLE `users` ADD `lockout_cleared_at` integer;
