// Per-client limits with the Workers Rate Limiting binding, keyed by route and client IP. They
// run before the body is read and before any password hashing, so flooding a route costs the
// attacker requests, not our CPU.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context';
import { clientIp } from './client-ip';
import { problemResponse } from './problem';

/** The period of every `[[ratelimits]]` binding in wrangler.toml, in seconds. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

export type RateLimitBinding = 'RATE_LIMIT_CREDENTIALS' | 'RATE_LIMIT_MAIL';

export function limitPerClient(binding: RateLimitBinding, route: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const limiter = c.env[binding];
    if (limiter) {
      const { success } = await limiter.limit({ key: `${route}:${clientIp(c)}` });
      if (!success) {
        c.var.services.log({ event: 'rate_limited', route });
        return problemResponse(c, 'rate_limited', 'Too many requests. Try again in a minute.', [], {
          'retry-after': String(RATE_LIMIT_PERIOD_SECONDS),
        });
      }
    }
    await next();
  });
}
