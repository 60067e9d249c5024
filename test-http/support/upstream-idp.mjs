// A real OpenID Provider for the outside sign-in tests: panva's oidc-provider (OpenID Certified)
// with its development login, on a local port. Latchkey knows it as the generic provider `corp`.
// The login name is the account: `alice@example.com` has that address, verified; a name starting
// with `unverified` has it unverified. `signInAt` plays the person in the provider's pages over
// HTTP (a cookie jar, redirects followed by hand) and answers where the provider sends the browser.
import { createServer } from 'node:net';
import { URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';

export const UPSTREAM_CLIENT = { id: 'latchkey-test', secret: 'upstream-client-secret-for-tests' };
/**
 * Every port Latchkey may be served on in development: `npm run dev` (8787), `npm run dev:deno`
 * (8788), the browser tests and the HTTP suite (8808-8838), and servers started by hand (9100-9399).
 */
const LATCHKEY_PORTS = [8787, 8788, ...range(8808, 8838), ...range(9100, 9399)];

function range(first, last) {
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

function claimsOf(login) {
  const email = login.includes('@') ? login.toLowerCase() : `${login.toLowerCase()}@upstream.example`;
  return {
    sub: `sub-${login.toLowerCase()}`,
    email,
    email_verified: !login.startsWith('unverified'),
    preferred_username: login.split('@')[0],
    name: `Upstream ${login.split('@')[0]}`,
  };
}

/** Starts the provider on a free port in `range`; answers its issuer, Latchkey's settings and stop(). */
export async function startUpstreamIdp({ range = [9100, 9199], providerId = 'corp' } = {}) {
  let port;
  for (let candidate = range[0]; candidate <= range[1]; candidate += 1) {
    if (await portIsFree(candidate)) {
      port = candidate;
      break;
    }
  }
  if (!port) throw new Error(`no free port in ${range.join('-')}`);
  const issuer = `http://localhost:${port}`;
  const redirectUris = LATCHKEY_PORTS.flatMap((latchkeyPort) => [
    `http://localhost:${latchkeyPort}/auth/oauth/${providerId}/callback`,
    `http://127.0.0.1:${latchkeyPort}/auth/oauth/${providerId}/callback`,
  ]);
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: UPSTREAM_CLIENT.id,
        client_secret: UPSTREAM_CLIENT.secret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'name'] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => claimsOf(id) }),
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    cookies: { keys: ['upstream-cookie-key-for-tests'] },
    features: { devInteractions: { enabled: true } },
  });
  // Development interactions log a warning on every start; the tests know.
  provider.on('server_error', (_ctx, error) => console.error('upstream idp:', error));
  const server = provider.listen(port);
  await new Promise((resolve) => server.once('listening', resolve));
  const prefix = `OAUTH_${providerId.toUpperCase()}_`;
  return {
    issuer,
    settings: {
      OAUTH_PROVIDERS: providerId,
      [`${prefix}CLIENT_ID`]: UPSTREAM_CLIENT.id,
      [`${prefix}CLIENT_SECRET`]: UPSTREAM_CLIENT.secret,
      [`${prefix}ISSUER`]: issuer,
      [`${prefix}NAME`]: 'Upstream',
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Signs in at the provider as `login` from its authorization URL (the Location Latchkey
 * answered), approving or cancelling; answers the URL the provider sends the browser back to.
 */
export async function signInAt(authorizationUrl, login, { cancel = false } = {}) {
  const jar = new Map();
  const send = async (url, init = {}) => {
    const headers = { ...init.headers };
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      jar.set(pair.slice(0, index), pair.slice(index + 1));
    }
    return response;
  };
  const origin = new URL(authorizationUrl).origin;
  let response = await send(authorizationUrl);
  for (let step = 0; step < 10; step += 1) {
    const location = response.headers.get('location');
    if (!location) throw new Error(`the provider answered ${response.status} without a redirect`);
    const next = new URL(location, origin);
    if (next.origin !== origin) return next.toString();
    if (/^\/interaction\/[^/]+$/.test(next.pathname)) {
      const page = await (await send(next)).text();
      if (cancel) {
        response = await send(new URL(`${next.pathname}/abort`, origin));
        continue;
      }
      const prompt = /name="prompt" value="([a-z]+)"/.exec(page)?.[1] ?? 'consent';
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt });
      response = await send(next, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      continue;
    }
    response = await send(next);
  }
  throw new Error('the provider did not send the browser back');
}
