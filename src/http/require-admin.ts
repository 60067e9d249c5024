// Who may use the admin API: whoever presents ADMIN_API_KEY as a Bearer token, and nobody when it
// is unset (every /admin/* route is then 404, so the API's existence is not advertised). Cookies
// and user access tokens are never read here, so a browser session (or a CSRF attack riding on
// one) can never reach these routes; requireAuth in turn accepts only signed access tokens, never
// this key. The key is compared by SHA-256 digest in constant time: neither its content nor its
// length shows in the timing.
import { createMiddleware } from 'hono/factory';
import { readConfig } from '../config';
import { sha256, timingSafeEqual } from '../core/kit/encoding';
import type { AppEnv } from '../web/context';
import { problemResponse } from '../web/problem';
import { limitPerClient } from '../web/rate-limit';

const ADMIN_CHALLENGE = 'Bearer realm="admin"';
const bearerPattern = /^Bearer +(\S+)$/i;

/** True when `presented` is the admin key; the time taken does not depend on either value. */
export async function isAdminKey(presented: string, adminKey: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(presented), sha256(adminKey)]);
  return timingSafeEqual(a, b);
}

const adminEnabled = createMiddleware<AppEnv>(async (c, next) => {
  if (!readConfig(c.env).ADMIN_API_KEY) return problemResponse(c, 'not_found', 'No such route.');
  await next();
});

const adminKeyPresented = createMiddleware<AppEnv>(async (c, next) => {
  const presented = bearerPattern.exec(c.req.header('authorization')?.trim() ?? '')?.[1];
  if (!presented || !(await isAdminKey(presented, readConfig(c.env).ADMIN_API_KEY!))) {
    c.var.services.log({ event: 'admin.refused', path: c.req.path, keySent: presented !== undefined });
    return problemResponse(c, 'unauthorized', 'The admin API key is required.', [], {
      'www-authenticate': presented ? `${ADMIN_CHALLENGE}, error="invalid_token"` : ADMIN_CHALLENGE,
    });
  }
  await next();
});

/** The admin API's guards, in order: enabled at all, the shared per-client limit, the key. */
export const requireAdmin = [adminEnabled, limitPerClient('RATE_LIMIT_ADMIN', 'admin'), adminKeyPresented] as const;
