// Better Auth as a Worker, email and password only, beside Latchkey in `npm run bench`. Its
// handler answers /api/auth/* (sign-in, get-session, ...); /health is its bare route, with no
// Better Auth code, the floor of this Worker. The auth instance is made once per bindings object
// (one per isolate in workerd), as Latchkey's services are, so neither pays set-up per request.
/* global Response */
import { betterAuth } from 'better-auth';
import { betterAuthOptions } from './options.mjs';

const instances = new WeakMap();

function authFor(env) {
  let auth = instances.get(env);
  if (!auth) {
    auth = betterAuth(
      betterAuthOptions({ database: env.DB, secret: env.BETTER_AUTH_SECRET, baseURL: env.BETTER_AUTH_URL }),
    );
    instances.set(env, auth);
  }
  return auth;
}

export default {
  fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/health') return Response.json({ status: 'ok' });
    if (pathname.startsWith('/api/auth/')) return authFor(env).handler(request);
    return new Response('Not found', { status: 404 });
  },
};
