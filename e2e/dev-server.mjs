// Starts `npm run dev` on a free port with its own persistence directory (deleted first, so every
// run starts from an empty database and mailbox), waits until it answers, and stops it again.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';

const PERSIST_DIR = '.wrangler/e2e-state';
// The dev server and its inspector take two ports; stay in the range set aside for this suite.
const PORT_RANGE = [8810, 8818];

function portIsFreeOn(port, host) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error) => resolve(host === '::1' && error.code === 'EADDRNOTAVAIL'));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

// `localhost` may resolve to either address, so a port is free only if it is free on both: another
// dev server on [::1]:port would otherwise answer this suite's requests.
async function portIsFree(port) {
  return (await portIsFreeOn(port, '127.0.0.1')) && (await portIsFreeOn(port, '::1'));
}

async function freePortPair() {
  for (let port = PORT_RANGE[0]; port <= PORT_RANGE[1]; port += 2) {
    if ((await portIsFree(port)) && (await portIsFree(port + 1))) return port;
  }
  throw new Error(`no free port pair in ${PORT_RANGE.join('-')}`);
}

async function waitUntilUp(origin, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dev server exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${origin}/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`dev server did not answer within ${timeoutMs} ms`);
}

/** `vars`: settings beyond .dev.vars, given to wrangler as `--var NAME:VALUE`. */
export async function startDevServer({ vars = {} } = {}) {
  rmSync(PERSIST_DIR, { recursive: true, force: true });
  const port = await freePortPair();
  const output = [];
  // A process group of its own, so stopping it also stops wrangler and workerd under it.
  const child = spawn(
    process.execPath,
    [
      'scripts/dev.mjs',
      '--port',
      String(port),
      '--inspector-port',
      String(port + 1),
      '--persist-to',
      PERSIST_DIR,
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
      ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } },
  );
  child.stdout.on('data', (chunk) => output.push(chunk));
  child.stderr.on('data', (chunk) => output.push(chunk));
  const origin = `http://localhost:${port}`;
  try {
    await waitUntilUp(origin, child, 90_000);
  } catch (error) {
    stop(child);
    console.error(Buffer.concat(output).toString());
    throw error;
  }
  return { origin, stop: () => stop(child) };
}

function stop(child) {
  if (child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}
