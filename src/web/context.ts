// The typed Hono environment shared by the app and its route groups.
import type { AccountServices } from '../core/services';
import type { Authenticated } from '../core/sessions/session-flows';
import type { Env } from '../config';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    services: AccountServices;
    auth: Authenticated;
  };
}
