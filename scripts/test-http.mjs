// `npm run test:http -- --runtime workers|deno`: the HTTP behaviour suite (test-http/) against a
// fresh development server of that runtime (`npm run dev` or `npm run dev:deno`, with an empty
// database and mailbox in a directory of its own), stopped again afterwards. With `--url URL`
// the suite runs against a server that is already up instead.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { startUpstreamIdp } from '../test-http/support/upstream-idp.mjs';

function option(name) {
  const args = process.argv.slice(2);
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
}

const runtime = option('runtime') ?? 'workers';
if (!['workers', 'deno'].includes(runtime)) throw new Error('--runtime must be workers or deno');
// Workers take a port pair (the inspector's too); each runtime has a range of its own.
const PORT_RANGE = runtime === 'workers' ? [8820, 8828] : [8830, 8838];

function portIsFreeOn(port, host) {
  return new Promise((resolve) => {
    const probe = createServer();
    // EADDRNOTAVAIL (no IPv6 on this machine) means nobody can be listening there either.
    probe.once('error', (error) => resolve(error.code === 'EADDRNOTAVAIL'));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

// `localhost` may resolve to either loopback address, so a server left on [::1] counts as taken.
async function portIsFree(port) {
  return (await portIsFreeOn(port, '127.0.0.1')) && (await portIsFreeOn(port, '::1'));
}

async function freePort() {
  for (let port = PORT_RANGE[0]; port <= PORT_RANGE[1]; port += 2) {
    if ((await portIsFree(port)) && (await portIsFree(port + 1))) return port;
  }
  throw new Error(`no free port in ${PORT_RANGE.join('-')}`);
}

async function waitUntilUp(origin, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the ${runtime} server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${origin}/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the ${runtime} server did not answer within ${timeoutMs} ms`);
}

// The admin API is on for the suite (the OpenID Provider tests register their clients with it),
// under a key made for this run and handed to the tests as LATCHKEY_ADMIN_KEY.
const adminKey = process.env.LATCHKEY_ADMIN_KEY ?? `test-http-${randomBytes(24).toString('hex')}`;

async function startServer(settings) {
  const stateDir = `.wrangler/http-suite-${runtime}`;
  rmSync(stateDir, { recursive: true, force: true });
  const port = await freePort();
  const args =
    runtime === 'workers'
      ? ['scripts/dev.mjs', '--port', String(port), '--inspector-port', String(port + 1)]
      : ['scripts/dev-deno.mjs', '--port', String(port)];
  if (runtime === 'workers') args.push('--show-interactive-dev-session=false', '--log-level', 'warn');
  // Settings beyond .dev.vars: wrangler takes them as --var, Deno from the environment.
  if (runtime === 'workers')
    args.push(...Object.entries(settings).flatMap(([name, value]) => ['--var', `${name}:${value}`]));
  if (runtime === 'workers') args.push('--var', `ADMIN_API_KEY:${adminKey}`);
  // A process group of its own, so stopping it also stops wrangler/workerd or deno under it.
  const child = spawn(process.execPath, [...args, '--persist-to', stateDir], {
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ...settings, WRANGLER_SEND_METRICS: 'false', ADMIN_API_KEY: adminKey },
  });
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  // SIGTERM first; whatever of the group is still there after a grace period is killed, so no
  // server outlives the suite (it would hold the output pipe open and hang the caller).
  const stop = async () => {
    signalGroup('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    signalGroup('SIGKILL');
  };
  const origin = `http://localhost:${port}`;
  try {
    await waitUntilUp(origin, child, 90_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, stop };
}

const given = option('url');
// A real OpenID Provider (oidc-provider) as the outside provider `corp` (test-http/outside-provider.test.mjs).
const upstream = given ? null : await startUpstreamIdp({ range: runtime === 'workers' ? [9100, 9149] : [9150, 9199] });
const server = given ? { origin: given, stop: async () => {} } : await startServer(upstream.settings);
const files = readdirSync('test-http')
  .filter((name) => name.endsWith('.test.mjs'))
  .map((name) => `test-http/${name}`);
console.log(`test-http: ${runtime} at ${server.origin}`);
const tests = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], {
  stdio: 'inherit',
  env: {
    ...process.env,
    LATCHKEY_URL: server.origin,
    LATCHKEY_ADMIN_KEY: adminKey,
    ...(upstream ? { LATCHKEY_UPSTREAM_IDP: upstream.issuer } : {}),
  },
});
const code = await new Promise((resolve) => tests.on('exit', (status) => resolve(status ?? 1)));
await server.stop();
await upstream?.stop();
process.exit(code);
