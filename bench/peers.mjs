// The peers Latchkey is measured against in the same run: Better Auth (./better-auth/, its own
// install) and a bare Hono worker (./bare-hono/). Each is served by its own `wrangler dev` on the
// next ports, alongside Latchkey's, so all three answer through the same local proxy and runtime
// and the same wrk client drives them in the same interleaved rounds.
import { Buffer } from 'node:buffer';
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBetterAuthSchema } from './better-auth/setup.mjs';
import { executeSqlFile, startWorker } from './server.mjs';

export const betterAuthConfig = 'bench/better-auth/wrangler.toml';
export const betterAuthFullConfig = 'bench/better-auth/full.wrangler.toml';
export const bareHonoConfig = 'bench/bare-hono/wrangler.toml';

/** The plugins of the same-feature build (./better-auth/full.mjs), with the packages' versions. */
export function betterAuthFeatures() {
  const version = (name) =>
    JSON.parse(readFileSync(new URL(`./better-auth/node_modules/${name}/package.json`, import.meta.url), 'utf8'))
      .version;
  return [
    'username, twoFactor, admin, jwt, bearer, haveIBeenPwned, magicLink, emailOTP, genericOAuth',
    `passkey (@better-auth/passkey ${version('@better-auth/passkey')})`,
    `oauthProvider (@better-auth/oauth-provider ${version('@better-auth/oauth-provider')})`,
  ].join(', ');
}

const credentials = { name: 'bench', email: 'bench@example.com', password: 'correct horse battery staple' };

/**
 * Starts Better Auth on `port` (inspector port + 1) and bare Hono on `port + 2`, each on fresh
 * state, and signs a Better Auth user up. Returns both servers and the Better Auth session cookie.
 */
export async function startPeers({ workDir, port, logPath }) {
  const schema = join(workDir, 'better-auth-schema.sql');
  const betterAuthState = join(workDir, 'better-auth-state');
  await writeBetterAuthSchema(schema);
  executeSqlFile(betterAuthConfig, betterAuthState, schema, logPath);
  const betterAuthUrl = `http://127.0.0.1:${port}`;
  const started = [];
  const stop = async () => {
    await Promise.all(started.map((server) => server.stop()));
  };
  try {
    const betterAuth = await startWorker({
      config: betterAuthConfig,
      vars: {
        BETTER_AUTH_SECRET: Buffer.from(webcrypto.getRandomValues(new Uint8Array(32))).toString('base64url'),
        BETTER_AUTH_URL: betterAuthUrl,
      },
      persistDir: betterAuthState,
      port,
      inspectorPort: port + 1,
      logPath,
    });
    started.push(betterAuth);
    const bareHono = await startWorker({
      config: bareHonoConfig,
      vars: {},
      persistDir: join(workDir, 'bare-hono-state'),
      port: port + 2,
      inspectorPort: port + 3,
      logPath,
    });
    started.push(bareHono);
    const cookie = await createBetterAuthAccount(betterAuth.url);
    return { betterAuth, bareHono, cookie, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Better Auth refuses a POST without an Origin it trusts (its CSRF check): a browser sends one. */
const betterAuthPost = (url, path, body) =>
  fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify(body),
  });

async function createBetterAuthAccount(url) {
  const signedUp = await betterAuthPost(url, '/api/auth/sign-up/email', credentials);
  if (signedUp.status !== 200)
    throw new Error(`better-auth sign-up answered ${signedUp.status}: ${await signedUp.text()}`);
  const signedIn = await betterAuthPost(url, '/api/auth/sign-in/email', credentials);
  if (signedIn.status !== 200)
    throw new Error(`better-auth sign-in answered ${signedIn.status}: ${await signedIn.text()}`);
  const cookie = signedIn.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const session = await (await fetch(`${url}/api/auth/get-session`, { headers: { cookie } })).json();
  if (!session?.user) throw new Error('better-auth get-session did not know the cookie its sign-in set');
  return cookie;
}

/** The peers' rows, measured in the same rounds as Latchkey's; `base` is each row's server. */
export function peerRows({ betterAuth, bareHono, cookie }, throughputConnections) {
  return [
    {
      id: 'bareHono',
      label: 'bare Hono: GET /health (no middleware)',
      base: bareHono.url,
      path: '/health',
      connections: throughputConnections,
      expect: 'ok',
    },
    {
      id: 'baHealth',
      label: 'Better Auth worker: GET /health (bare)',
      base: betterAuth.url,
      path: '/health',
      connections: throughputConnections,
      expect: 'ok',
    },
    {
      id: 'baSession',
      label: 'Better Auth: GET get-session, cookie',
      base: betterAuth.url,
      path: '/api/auth/get-session',
      headers: { cookie },
      connections: throughputConnections,
      expect: 'ok',
    },
    {
      id: 'baSignIn',
      label: 'Better Auth: POST sign-in/email, right pw',
      base: betterAuth.url,
      path: '/api/auth/sign-in/email',
      method: 'POST',
      headers: { origin: betterAuth.url },
      body: JSON.stringify({ email: credentials.email, password: credentials.password }),
      connections: 1,
      expect: 'ok',
    },
  ];
}
