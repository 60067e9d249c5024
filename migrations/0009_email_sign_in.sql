CREATE TABLE `email_sign_ins` (
	`email` text PRIMARY KEY NOT NULL,
	`token_digest` text NOT NULL,
	`code_digest` text NOT NULL,
	`code_attempts` integer DEFAULT 0 NOT NULL,
	`user_id` text,
	`username` text,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `email_sign_ins_token_digest_unique` ON `email_sign_ins` (`token_digest`);--> statement-breakpoint
CREATE INDEX `email_sign_ins_expires_at` ON `email_sign_ins` (`expires_at`);