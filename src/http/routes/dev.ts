// Development-only routes. Mounted only when ENVIRONMENT is "development".
import { Hono } from 'hono';
import { readMailbox } from '../../mail/console-mailer';
import type { AppEnv } from '../context';
import { readConfig } from '../../config';
import { AuthError } from '../../core/errors';

export const devRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (readConfig(c.env).ENVIRONMENT !== 'development') throw new AuthError('not_found', 'No such route.');
    await next();
  })
  .get('/mailbox', async (c) =>
  c.json({ messages: await readMailbox(c.env.KV) }),
);
