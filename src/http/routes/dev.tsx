// Development-only routes. Mounted only when ENVIRONMENT is "development".
import { Hono } from 'hono';
import { readMailbox } from '../../mail/console-mailer';
import type { AppEnv } from '../context';
import { readConfig } from '../../config';
import { AuthError } from '../../core/errors';
import { MailboxPage, prefersHtml } from '../../pages/mailbox';
import { pageHeaders } from '../../pages/security-headers';

export const devRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    if (readConfig(c.env).ENVIRONMENT !== 'development') throw new AuthError('not_found', 'No such route.');
    await next();
  })
  // JSON by default (scripts, tests); a page when the browser asks for HTML.
  .get(
    '/mailbox',
    async (c, next) => {
      if (prefersHtml(c.req.header('accept'))) return next();
      c.header('vary', 'accept');
      return c.json({ messages: await readMailbox(c.env.KV) });
    },
    pageHeaders,
    async (c) => {
      const messages = await readMailbox(c.env.KV);
      c.header('vary', 'accept');
      return c.html(<MailboxPage appName={readConfig(c.env).APP_NAME} messages={messages} />);
    },
  );
