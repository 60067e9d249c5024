// `npm run bench:profile`: CPU profiles of the benchmark's routes in local workerd. Serves the
// benchmark worker like `npm run bench` (unminified, so functions keep their names), sends each
// route BENCH_PROFILE_REQUESTS times one at a time (default 40 sign-ins, 400 of the others) under
// the V8 profiler (through wrangler dev's inspector), and prints where the isolate's time went per
// request: the PBKDF2 call and other crypto, the worker's own functions, and the time the isolate
// waited (D1, the rate limiter, idle). BENCH_PROFILE_ROUTES picks routes (default
// login,me,health); `health` is also sent to the bare Hono worker, the floor it is compared with.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { bareHonoConfig } from './peers.mjs';
import { applyMigrations, createAccount, logIn, startServer, startWorker } from './server.mjs';

const port = Number(process.env.BENCH_PORT ?? 8820);
const routes = (process.env.BENCH_PROFILE_ROUTES ?? 'login,me,health').split(',');
const requestsOf = (route) => Number(process.env.BENCH_PROFILE_REQUESTS ?? (route === 'login' ? 40 : 400));

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
// wrangler dev names the bundle after the entry module: worker.js (Latchkey), index.js (bare Hono).
const isBundle = (url) => /(^|\/)(worker|index)\.js$/.test(url);

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
  return isBundle(url) ? 'the worker bundle (the app, Hono, jose; see below)' : `runtime JS: ${url}`;
}

function workerFunctions(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const { functionName, url, lineNumber } = node.callFrame;
    if (!isBundle(url)) continue;
    const key = `${functionName || '(anonymous)'} (line ${lineNumber + 1})`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]);
}

/** Inclusive time of the worker's functions: each sample counts once for every one on its stack. */
function workerFunctionsInclusive(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  if (parents.size === 0) {
    for (const candidate of byId.values())
      for (const child of candidate.children ?? []) parents.set(child, candidate.id);
  }
  const total = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const seen = new Set();
    for (let node = byId.get(profile.samples[i]); node; node = byId.get(parents.get(node.id))) {
      const { functionName, url, lineNumber } = node.callFrame;
      if (isBundle(url)) seen.add(`${functionName || '(anonymous)'} (line ${lineNumber + 1})`);
    }
    for (const key of seen) total.set(key, (total.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  return [...total.entries()].sort((a, b) => b[1] - a[1]);
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

/** What one request of each route is; `send` resolves when its answer has been read. */
function routeSenders(url, account) {
  const get =
    (path, headers = {}) =>
    async () => {
      const response = await fetch(url + path, { headers });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    };
  return {
    login: { label: 'POST /auth/login, right password', send: () => logIn(url, account.login) },
    me: {
      label: 'GET /me, valid token',
      send: get('/me', { authorization: `Bearer ${account.tokens.accessToken}` }),
    },
    health: { label: 'GET /health', send: get('/health') },
  };
}

/** Profiles `count` sequential calls of `send` in the isolate behind `inspectorPort`. */
async function profileRequests(inspectorPort, label, count, send) {
  for (let i = 0; i < 10; i++) await send();
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  if (process.env.BENCH_PROFILE_DEBUG) console.log(JSON.stringify(targets));
  const inspector = connect(targets[0].webSocketDebuggerUrl);
  await inspector.opened;
  await inspector.send('Profiler.enable');
  await inspector.send('Profiler.setSamplingInterval', { interval: 100 });
  await inspector.send('Profiler.start');
  const started = performance.now();
  for (let i = 0; i < count; i++) await send();
  const wall = performance.now() - started;
  const { result } = await inspector.send('Profiler.stop');
  inspector.close();
  parents.clear();
  const total = (result.profile.endTime - result.profile.startTime) / 1000;
  console.log(
    `\n${label}: ${count} requests, ${(wall / count).toFixed(3)} ms each (client wall time); isolate time per request:`,
  );
  for (const [key, us] of breakdown(result.profile).slice(0, 12)) {
    console.log(`  ${(us / 1000 / count).toFixed(3).padStart(8)} ms  ${key}`);
  }
  console.log('the worker bundle, by function (self time):');
  for (const [key, us] of workerFunctions(result.profile).slice(0, 15)) {
    console.log(`  ${(us / 1000 / count).toFixed(3).padStart(8)} ms  ${key}`);
  }
  console.log('the worker bundle, by function (inclusive time):');
  for (const [key, us] of workerFunctionsInclusive(result.profile).slice(0, 20)) {
    console.log(`  ${(us / 1000 / count).toFixed(3).padStart(8)} ms  ${key}`);
  }
  console.log(`  ${(total / count).toFixed(3).padStart(8)} ms  profile span`);
}

async function main() {
  const workDir = mkdtempSync(join(tmpdir(), 'latchkey-profile-'));
  const logPath = join(tmpdir(), 'latchkey-profile-wrangler.log');
  const servers = [];
  try {
    applyMigrations(join(workDir, 'state'), logPath);
    // Unminified, so the profile names the worker's functions.
    const server = await startServer({
      persistDir: join(workDir, 'state'),
      port,
      inspectorPort: port + 1,
      logPath,
      extraArgs: ['--no-minify'],
    });
    servers.push(server);
    const account = await createAccount(server.url);
    const senders = routeSenders(server.url, account);
    for (const route of routes) {
      const sender = senders[route];
      if (!sender) throw new Error(`unknown route ${route}; one of ${Object.keys(senders).join(', ')}`);
      await profileRequests(port + 1, sender.label, requestsOf(route), sender.send);
    }
    if (routes.includes('health')) {
      const bare = await startWorker({
        config: bareHonoConfig,
        vars: {},
        persistDir: join(workDir, 'bare-state'),
        port: port + 2,
        inspectorPort: port + 3,
        logPath,
        extraArgs: ['--no-minify'],
      });
      servers.push(bare);
      const { send } = routeSenders(bare.url, account).health;
      await profileRequests(port + 3, 'bare Hono: GET /health', requestsOf('health'), send);
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`profile: ${error.message || error.type || error}`, error.stack ?? '');
  process.exitCode = 1;
});
