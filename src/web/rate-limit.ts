// Per-client limits with the Workers Rate Limiting binding, keyed by route and client (an IPv4
// address or an IPv6 /64, see clientKey). They run before the body is read and before any
// password hashing, so flooding a route costs the attacker requests, not our CPU.
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context';
import { clientIp, clientKey } from './client-ip';
import { problemResponse } from './problem';

/** The period of every `[[ratelimits]]` binding in wrangler.toml, in seconds. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

export type RateLimitBinding = 'RATE_LIMIT_CREDENTIALS' | 'RATE_LIMIT_MAIL' | 'RATE_LIMIT_ADMIN';

type LimitedEnv = { Bindings: AppEnv['Bindings']; Variables: Pick<AppEnv['Variables'], 'services'> };

/**
 * Limits a route per client. The JSON API answers a 429 problem; the pages pass `onLimited` to
 * answer with a page instead. API and page routes of one flow share a `route` key, so a client
 * cannot double its budget by switching between them.
 */
export function limitPerClient(
  binding: RateLimitBinding,
  route: string,
  onLimited?: (c: Context<LimitedEnv>) => Response | Promise<Response>,
) {
  return createMiddleware<LimitedEnv>(async (c, next) => {
    const limiter = c.env[binding];
    if (limiter) {
      const { success } = await limiter.limit({ key: `${route}:${clientKey(clientIp(c))}` });
      if (!success) {
        c.var.services.log({ event: 'rate_limited', route });
        c.header('retry-after', String(RATE_LIMIT_PERIOD_SECONDS));
        if (onLimited) return onLimited(c);
        return problemResponse(c, 'rate_limited', 'Too many requests. Try again in a minute.');
      }
    }
    await next();
  });
}
