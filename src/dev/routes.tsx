// Development-only routes. They are mounted in every environment (so the route table, and the
// 404 a production client gets, do not depend on configuration), but outside ENVIRONMENT
// "development" every request to them answers 404 `not_found`, as if they did not exist.
// This folder sits above http and pages: /dev/mailbox answers JSON for scripts and the mailbox
// page for a browser, so it uses both sides without making either import the other.
import { Hono } from 'hono';
import { readConfig } from '../config';
import { AuthError } from '../core/kit/errors';
import { readMailbox } from '../mail/console-mailer';
import { MailboxPage, prefersHtml } from '../pages/mailbox';
import type { AppEnv } from '../web/context';
import { pageHeaders } from '../web/security-headers';

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
