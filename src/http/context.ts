// The typed Hono environment shared by the app and its route groups.
import type { AccountServices, Authenticated } from '../core/accounts';
import type { Env } from '../config';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    services: AccountServices;
    auth: Authenticated;
  };
}
