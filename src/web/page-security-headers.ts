// Headers for every HTML page: a CSP that allows only the pages' own stylesheet (no script at
// all, so an injected tag can do nothing), no framing, no referrer (links carry tokens), and
// no caching (the account page shows personal data). form-action also lists the
// RETURN_URL_ALLOWLIST origins because Chromium applies it to the redirect after a form post.
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import { type Config, type Env, readConfig } from '../config';

const built = new WeakMap<Config, ReturnType<typeof secureHeaders>>();

function headersFor(config: Config) {
  let middleware = built.get(config);
  if (!middleware) {
    const returnOrigins = [...new Set(config.RETURN_URL_ALLOWLIST.map((entry) => new URL(entry).origin))];
    middleware = secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'", ...returnOrigins],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
    });
    built.set(config, middleware);
  }
  return middleware;
}

export const pageHeaders = createMiddleware<{ Bindings: Env }>(async (c, next) => {
  await headersFor(readConfig(c.env))(c, next);
  c.header('cache-control', 'no-store');
});
