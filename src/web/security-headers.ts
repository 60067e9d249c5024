// Headers on every response, errors and 404s included, through Hono's own middleware: no MIME
// sniffing, HSTS, no referrer, a CSP that allows nothing and no framing (pages set their own,
// looser CSP, which this one does not overwrite), and no caching of auth responses. CORS is an
// explicit allowlist; credentials are allowed only for listed origins, never for "*".
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import { readConfig } from '../config';
import type { AppEnv } from './context';

const headers = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
  },
  strictTransportSecurity: 'max-age=63072000; includeSubDomains',
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
  overwrite: false,
});

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await headers(c, async () => {
    await next();
    // Routes that are meant to be cached (the JWKS, stylesheets) say so themselves.
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
});

export const corsForListedOrigins = cors({
  origin: (origin, c) => {
    try {
      return readConfig(c.env).CORS_ORIGINS.includes(origin) ? origin : null;
    } catch {
      // A configuration error is reported by the request itself; CORS just allows nothing.
      return null;
    }
  },
  credentials: true,
  allowMethods: ['GET', 'POST', 'DELETE'],
  allowHeaders: ['authorization', 'content-type'],
  maxAge: 600,
});
