-- Accounts without a password (issue 20): password_hash and password_changed_at become nullable,
-- which SQLite allows only by rebuilding the table. No table references accounts, so the rebuild
-- needs no foreign-key pragmas (D1 does not take PRAGMA foreign_keys). The version that binds
-- sessions, pending sign-ins and reset links is now the credential version: any credential reset
-- moves it, not only a new password; every existing value is kept, so every session stays valid.
CREATE TABLE `__new_accounts` (
	`user_id` text PRIMARY KEY NOT NULL,
	`provider` text DEFAULT 'password' NOT NULL,
	`password_hash` text,
	`credential_version` integer DEFAULT 0 NOT NULL,
	`password_changed_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_accounts`("user_id", "provider", "password_hash", "credential_version", "password_changed_at") SELECT "user_id", "provider", "password_hash", "password_version", "password_changed_at" FROM `accounts`;--> statement-breakpoint
DROP TABLE `accounts`;--> statement-breakpoint
ALTER TABLE `__new_accounts` RENAME TO `accounts`;--> statement-breakpoint
ALTER TABLE `sessions` RENAME COLUMN `password_version` TO `credential_version`;--> statement-breakpoint
ALTER TABLE `mfa_challenges` RENAME COLUMN `password_version` TO `credential_version`;--> statement-breakpoint
-- How each session was proven (RFC 8176 amr values); unknown for the sessions that exist now. A
-- pending second step keeps what its first step proved, for the session it may start.
ALTER TABLE `sessions` ADD `amr` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mfa_challenges` ADD `amr` text DEFAULT '' NOT NULL;
