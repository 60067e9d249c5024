// The columns that make a core User, shared by every query that returns one: userSqlColumns
// selects them, userOfRow reads the row.
import type { User } from '../core/accounts/users';

/**
 * A core User's columns in plain SQL, from `users` and `profiles` (left-joined) under the given
 * aliases; the row's `user_id` is the user's id. Read the row with userOfRow.
 */
export function userSqlColumns(usersAlias: string, profilesAlias: string): string {
  const [u, p] = [usersAlias, profilesAlias];
  return `${u}.id as user_id, ${u}.username, ${u}.email, ${u}.email_verified_at, ${u}.disabled_at,
    ${p}.display_name, ${u}.created_at as user_created_at, ${u}.updated_at as user_updated_at`;
}

export interface UserSqlRow {
  user_id: string;
  username: string;
  email: string;
  email_verified_at: number | null;
  disabled_at: number | null;
  display_name: string | null;
  user_created_at: number;
  user_updated_at: number;
}

export function userOfRow(row: UserSqlRow): User {
  return {
    id: row.user_id,
    username: row.username,
    email: row.email,
    emailVerifiedAt: row.email_verified_at,
    disabledAt: row.disabled_at,
    displayName: row.display_name,
    createdAt: row.user_created_at,
    updatedAt: row.user_updated_at,
  };
}
