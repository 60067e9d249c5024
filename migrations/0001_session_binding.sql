ALTER TABLE `refresh_tokens` ADD `grace_used_at` integer;--> statement-breakpoint
ALTER TABLE `refresh_tokens` ADD `successor` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `password_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Sessions that exist when this runs were made under the password their account has now.
UPDATE `sessions` SET `password_version` = (SELECT `password_version` FROM `accounts` WHERE `accounts`.`user_id` = `sessions`.`user_id`);
