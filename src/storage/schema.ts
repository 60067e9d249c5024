// Drizzle schema for Latchkey's D1 database. `migrations/` is generated from this file by
// drizzle-kit (`npm run db:generate`); CI fails when the two disagree.
import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    email: text('email').notNull(),
    emailVerifiedAt: integer('email_verified_at'),
    // Bumped to revoke every session of the user at once. Lives in D1, not KV, because KV
    // lists and deletes lag behind writes by up to a minute at other locations.
    sessionEpoch: integer('session_epoch').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [
    // Uniqueness is case-insensitive and enforced by the database, so two concurrent
    // registrations cannot both win.
    uniqueIndex('users_username_unique').on(sql`lower(${table.username})`),
    uniqueIndex('users_email_unique').on(sql`lower(${table.email})`),
  ],
);

export const accounts = sqliteTable('accounts', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  provider: text('provider').notNull().default('password'),
  passwordHash: text('password_hash').notNull(),
  // Compare-and-set guard: a reset token carries the version it was issued for, and the
  // reset only applies while the version is unchanged, so one token changes the password once.
  passwordVersion: integer('password_version').notNull().default(0),
  passwordChangedAt: integer('password_changed_at').notNull(),
});

export const profiles = sqliteTable('profiles', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  displayName: text('display_name'),
  updatedAt: integer('updated_at').notNull(),
});
