// Serves the benchmark worker with `wrangler dev` on loopback, against a fresh persistence
// directory, and creates the account the rows need through the public API (register, verify
// through the development mailbox, log in). Nothing here reads or writes the user's .dev.vars.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { clearTimeout, setTimeout } from 'node:timers';
import { generateDataEncryptionKey } from '../scripts/generate-data-key.mjs';
import { generateSigningJwk } from '../scripts/generate-jwk.mjs';
import { generateRsaSigningJwk } from '../scripts/generate-rsa-jwk.mjs';
import { BENCH_ADMIN_KEY, registerBenchClient } from './oauth.mjs';

const wrangler = process.platform === 'win32' ? 'wrangler.cmd' : 'wrangler';
// No network in CI sandboxes: without this, every start waits for a Request.cf download.
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
const config = 'bench/wrangler.toml';
// The static-data Worker that the bench worker's ASSETS binding names, served in the same run.
const assetsConfig = 'wrangler.assets.toml';

export function applyMigrations(persistDir, logPath) {
  wranglerD1(['migrations', 'apply', 'DB', '--local', '--persist-to', persistDir, '-c', config], logPath);
}

/** Runs an SQL file against a worker's local D1 binding DB (another worker's schema). */
export function executeSqlFile(workerConfig, persistDir, file, logPath) {
  wranglerD1(['execute', 'DB', '--local', '--persist-to', persistDir, '-c', workerConfig, '--file', file], logPath);
}

function wranglerD1(args, logPath) {
  const result = spawnSync(wrangler, ['d1', ...args], { env, encoding: 'utf8' });
  createWriteStream(logPath, { flags: 'a' }).end(`${result.stdout}\n${result.stderr}\n`);
  if (result.status !== 0) throw new Error(`wrangler d1 ${args[0]} failed (see ${logPath})`);
}

/** Serves the Latchkey benchmark worker (bench/wrangler.toml) with fresh keys. */
export async function startServer({ extraVars = {}, extraArgs = [], ...options }) {
  const jwk = await generateSigningJwk();
  // The per-account lockout would stop the wrong-password rows after 10 requests; the failure
  // counter is still written on every failure, as in production.
  const vars = {
    ENVIRONMENT: 'development',
    MAIL_PROVIDER: 'console',
    JWT_PRIVATE_JWK: JSON.stringify(jwk),
    DATA_ENCRYPTION_KEY: generateDataEncryptionKey(),
    LOGIN_MAX_FAILURES: '1000000',
    // The OpenID Provider's token-endpoint row: its ID-token key, and the admin API for its client.
    OIDC_RSA_PRIVATE_JWK: JSON.stringify(await generateRsaSigningJwk()),
    ADMIN_API_KEY: BENCH_ADMIN_KEY,
    ...extraVars,
  };
  return startWorker({ ...options, config, vars, extraArgs: ['-c', assetsConfig, ...extraArgs] });
}

/**
 * Starts `wrangler dev -c config` in its own process group, so that stop() ends it and its
 * workerd children, and waits until its /health answers.
 */
export async function startWorker({ config, vars, persistDir, port, inspectorPort, logPath, extraArgs = [] }) {
  const args = [
    'dev',
    '-c',
    config,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
  ];
  if (persistDir) args.push('--persist-to', persistDir);
  args.push('--show-interactive-dev-session=false');
  // Request logs go through wrangler's Node process; at thousands of requests per second that
  // process would compete with workerd for the two cores and distort every row.
  args.push('--log-level', 'warn', ...extraArgs);
  for (const [key, value] of Object.entries(vars)) args.push('--var', `${key}:${value}`);

  const log = createWriteStream(logPath, { flags: 'a' });
  const child = spawn(wrangler, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  child.on('exit', () => (exited = true));

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, 5000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`wrangler dev exited during start-up (see ${logPath})`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not answer /health within 60 s (see ${logPath})`);
}

export async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function logIn(url, credentials) {
  const answer = await postJson(`${url}/auth/login`, credentials);
  if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Registers and verifies one user the way a client would; returns its credentials and tokens. */
export async function createAccount(url) {
  const credentials = { username: 'bench', email: 'bench@example.com', password: 'correct horse battery staple' };
  const registered = await postJson(`${url}/auth/register`, credentials);
  if (registered.status !== 201)
    throw new Error(`register answered ${registered.status}: ${JSON.stringify(registered.body)}`);

  // The verification mail is sent after the response (waitUntil), so poll the mailbox briefly.
  let token;
  for (let attempt = 0; attempt < 40 && !token; attempt++) {
    const mailbox = await (await fetch(`${url}/dev/mailbox`)).json();
    token = mailbox.messages.map((message) => /[?&]token=([A-Za-z0-9_-]+)/.exec(message.text)?.[1]).find(Boolean);
    if (!token) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!token) throw new Error('no verification mail arrived in /dev/mailbox');
  const verified = await postJson(`${url}/auth/verify-email`, { token });
  if (verified.status !== 200) throw new Error(`verify-email answered ${verified.status}`);

  const login = { identifier: credentials.username, password: credentials.password };
  const tokens = await logIn(url, login);
  return { login, tokens, oauthClient: await registerBenchClient(url) };
}
