// The root-level aliases that client flows use (/user/register, /login, /logout); they share the
// handlers of /auth/register, /auth/login and /auth/logout.
import { Hono } from 'hono';
import type { AppEnv } from '../../web/context';
import { registerHandlers } from './accounts';
import { loginHandlers, logoutHandlers } from './sessions';

export const aliasRoutes = new Hono<AppEnv>()
  .post('/user/register', ...registerHandlers)
  .post('/login', ...loginHandlers)
  .post('/logout', ...logoutHandlers);
