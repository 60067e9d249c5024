// `node bench/profile-login.mjs`: a CPU profile of logins in local workerd. Serves the benchmark
// worker like `npm run bench`, signs in BENCH_PROFILE_LOGINS times (default 40) under the V8
// profiler (through wrangler dev's inspector), and prints where the isolate's time went: the
// PBKDF2 call, the rest of the worker by module, and the time the isolate waited (D1, the rate
// limiter, idle). The README's login breakdown comes from this.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { applyMigrations, createAccount, logIn, startServer } from './server.mjs';

const port = Number(process.env.BENCH_PORT ?? 8820);
const logins = Number(process.env.BENCH_PROFILE_LOGINS ?? 40);

// Node 22+ has a global WebSocket client.
function connect(url) {
  // wrangler's inspector proxy accepts only its DevTools origin (or none from a browser).
  // eslint-disable-next-line no-undef -- a global in Node 22+, unknown to the lint's globals list
  const socket = new WebSocket(url, { headers: { origin: 'https://devtools.devprod.cloudflare.dev' } });
  let nextId = 1;
  const pending = new Map();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(event.data);
    if (message.id && pending.has(message.id)) {
      pending.get(message.id)(message);
      pending.delete(message.id);
    }
  });
  const opened = new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve);
    socket.addEventListener('error', reject);
  });
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return { opened, send, close: () => socket.close() };
}

const parents = new Map();

/** Native and runtime frames are charged to the nearest caller with a script URL. */
function attribute(node, byId) {
  if (parents.size === 0) {
    for (const candidate of byId.values())
      for (const child of candidate.children ?? []) parents.set(child, candidate.id);
  }
  let current = node;
  while (current && !current.callFrame.url) current = byId.get(parents.get(current.id));
  const url = current?.callFrame.url ?? '(no script)';
  // The runtime's own JS (the D1 binding's client, tracing) has internal URLs; the worker is one bundle.
  return url.endsWith('worker.js') ? 'the worker bundle (Latchkey, Hono, jose; see below)' : `runtime JS: ${url}`;
}

function workerFunctions(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const { functionName, url, lineNumber } = node.callFrame;
    if (!url.endsWith('worker.js')) continue;
    const key = `${functionName || '(anonymous)'} (line ${lineNumber + 1})`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]);
}

/** Self time per category: the hash, idle/waiting, program (runtime), and the worker's code by area. */
function breakdown(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName } = node.callFrame;
    let key;
    if (functionName === '(idle)') key = 'idle (waiting for D1, the rate limiter, the next request)';
    else if (functionName === '(program)' || functionName === '(garbage collector)') key = functionName;
    else if (functionName === 'deriveBits') key = 'crypto.subtle.deriveBits (PBKDF2 and any other)';
    else if (/^(sign|importKey|digest|verify|exportKey)$/.test(functionName)) key = `crypto.subtle.${functionName}`;
    else key = attribute(node, byId);
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]);
}

async function main() {
  const workDir = mkdtempSync(join(tmpdir(), 'latchkey-profile-'));
  const logPath = join(tmpdir(), 'latchkey-profile-wrangler.log');
  let server;
  try {
    applyMigrations(join(workDir, 'state'), logPath);
    // Unminified, so the profile names the worker's functions.
    server = await startServer({
      persistDir: join(workDir, 'state'),
      port,
      inspectorPort: port + 1,
      logPath,
      extraArgs: ['--no-minify'],
    });
    const account = await createAccount(server.url);
    for (let i = 0; i < 5; i++) await logIn(server.url, account.login);
    const targets = await (await fetch(`http://127.0.0.1:${port + 1}/json`)).json();
    if (process.env.BENCH_PROFILE_DEBUG) console.log(JSON.stringify(targets));
    const inspector = connect(targets[0].webSocketDebuggerUrl);
    await inspector.opened;
    await inspector.send('Profiler.enable');
    await inspector.send('Profiler.setSamplingInterval', { interval: 100 });
    await inspector.send('Profiler.start');
    const started = performance.now();
    for (let i = 0; i < logins; i++) await logIn(server.url, account.login);
    const wall = performance.now() - started;
    const { result } = await inspector.send('Profiler.stop');
    inspector.close();
    const total = (result.profile.endTime - result.profile.startTime) / 1000;
    console.log(`${logins} logins, ${(wall / logins).toFixed(2)} ms each (client wall time); isolate time per login:`);
    for (const [key, us] of breakdown(result.profile).slice(0, 12)) {
      console.log(`  ${(us / 1000 / logins).toFixed(3).padStart(8)} ms  ${key}`);
    }
    console.log('the worker bundle, by function (self time):');
    for (const [key, us] of workerFunctions(result.profile).slice(0, 15)) {
      console.log(`  ${(us / 1000 / logins).toFixed(3).padStart(8)} ms  ${key}`);
    }
    console.log(`  ${(total / logins).toFixed(3).padStart(8)} ms  profile span`);
  } finally {
    if (server) await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`profile: ${error.message || error.type || error}`, error.stack ?? '');
  process.exitCode = 1;
});
