// The columns that make a core User, shared by every query that returns one.
import { profiles, users } from './schema';

export const userColumns = {
  id: users.id,
  username: users.username,
  email: users.email,
  emailVerifiedAt: users.emailVerifiedAt,
  disabledAt: users.disabledAt,
  displayName: profiles.displayName,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};
