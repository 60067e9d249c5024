// Authenticated routes: a Bearer access token whose session is still live. The core does the
// checks; this middleware only reads the header and stores the result.
import { createMiddleware } from 'hono/factory';
import { AuthError } from '../core/errors';
import { authenticate } from '../core/accounts';
import type { AppEnv } from './context';

const bearerPattern = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const match = bearerPattern.exec(c.req.header('authorization') ?? '');
  if (!match) throw new AuthError('unauthorized', 'A valid access token is required.');
  c.set('auth', await authenticate(c.var.services, match[1]!));
  await next();
});
