// An app that signs its users in through Latchkey: @hono/oidc-auth sends a signed-out visitor to
// Latchkey's authorization endpoint (PKCE S256, state, nonce), Latchkey's pages sign them in
// (second step and passkeys included), and /callback redeems the code and keeps the ID token's
// claims in this app's own session cookie.
import { getAuth, oidcAuthMiddleware, processOAuthCallback, revokeSession } from '@hono/oidc-auth';
import { Hono } from 'hono';
import { html } from 'hono/html';

interface Env {
  OIDC_ISSUER: string;
  /** Latchkey in the same account (a service binding), optional. */
  LATCHKEY?: Fetcher;
}

const app = new Hono<{ Bindings: Env }>();

// @hono/oidc-auth takes no fetch of its own, so with the LATCHKEY binding the Worker's fetch is
// wrapped once: requests to the issuer's origin (discovery, token endpoint) go through the
// binding, every other request as before.
let routed = false;
app.use(async (c, next) => {
  const latchkey = c.env.LATCHKEY;
  if (latchkey && !routed) {
    routed = true;
    const issuer = new URL(c.env.OIDC_ISSUER).origin;
    const direct = globalThis.fetch;
    globalThis.fetch = (input, init) => {
      const request = new Request(input, init);
      return new URL(request.url).origin === issuer ? latchkey.fetch(request) : direct(request);
    };
  }
  await next();
});

app.get('/callback', (c) => processOAuthCallback(c));

app.get('/signed-out', (c) =>
  c.html(
    html`<!doctype html><title>Signed out</title>
      <p>You are signed out.</p>`,
  ),
);

app.get('/logout', async (c) => {
  await revokeSession(c);
  return c.redirect('/signed-out');
});

app.use('*', oidcAuthMiddleware());

app.get('/', async (c) => {
  const auth = await getAuth(c);
  return c.html(
    html`<!doctype html>
      <title>Example app</title>
      <p data-testid="who">Signed in as ${auth?.email ?? auth?.sub}</p>
      <p><a href="/logout">Sign out</a></p>`,
  );
});

export default app;
