// The admin API's port: where users are listed from, and the counts its user detail shows. In a
// file of its own so that services.ts, which lists the ports, imports no flow.
import type { User } from '../accounts/users';

/** Where users are listed from, newest first, and how many live sessions one has. */
export interface UserDirectory {
  /**
   * Up to `limit` users whose username or email starts with `prefix` (lowercase; empty: all),
   * ordered by (createdAt, id) descending, strictly after `after` when given.
   */
  search(input: { prefix: string; limit: number; after: PageCursor | null }): Promise<User[]>;
  countLiveSessions(userId: string, now: number): Promise<number>;
  /** The second factors the user has turned on (`totp`, ...), in one cheap read. */
  listSecondFactors(userId: string): Promise<string[]>;
}

export interface PageCursor {
  createdAt: number;
  id: string;
}
