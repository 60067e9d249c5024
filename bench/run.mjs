// `npm run bench`: serves the benchmark worker with wrangler dev on a fresh local state, drives
// every row with wrk in interleaved rounds (so machine noise lands on all rows alike), and prints
// the table and the ratios we steer by. Results go to bench/results/ (latest.json, ratios.svg).
// Settings: BENCH_ROUNDS (default 5), BENCH_SECONDS per row and round (default 3),
// BENCH_PORT (default 8820; the inspector takes the next port). Each row also gets its D1 round
// trips per request, counted by the benchmark worker's instrumented binding (./trips.mjs).
// BENCH_PRIMARY_RTT_MS (e.g. 150) adds a far-primary simulation: the worker again, with that delay
// on every D1 round trip to the primary, once with SESSION_READS=primary and once with
// SESSION_READS=replica (replica reads undelayed), one round per row; per-route p50 for both.
// Better Auth (installed into bench/better-auth on first use) and a bare Hono worker are served
// beside Latchkey (./peers.mjs) and measured in the same rounds; ./goals.mjs holds the ratios.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBetterAuth } from './better-auth/setup.mjs';
import { kib, measureStartup, measureWorker, priceZodMini } from './bundle.mjs';
import { goalRatios } from './goals.mjs';
import { ensureWrk, poolRounds, runWrk } from './load.mjs';
import { formatRatios, formatSimulation, formatTable, judge, ratiosSvg } from './report.mjs';
import {
  bareHonoConfig,
  betterAuthConfig,
  betterAuthFeatures,
  betterAuthFullConfig,
  peerRows,
  startPeers,
} from './peers.mjs';
import { oauthRefreshToken } from './oauth.mjs';
import { applyMigrations, createAccount, logIn, startServer } from './server.mjs';
import { countTrips, formatTrips } from './trips.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const port = Number(process.env.BENCH_PORT ?? 8820);
const primaryRttMs = process.env.BENCH_PRIMARY_RTT_MS ? Number(process.env.BENCH_PRIMARY_RTT_MS) : null;
// The rows of the far-primary simulation: what a user waits for on each route.
const simulatedRows = ['baseline', 'me', 'jwks', 'login', 'refresh'];
const resultsDir = 'bench/results';
// Throughput rows keep several requests in flight so workerd, not the client, is the limit.
// Latency rows run one at a time: PBKDF2 occupies the isolate's thread, so with more connections
// their p50 would measure the queue rather than the work.
const throughputConnections = 8;

const forgedToken = (accessToken) => {
  const [header, payload] = accessToken.split('.');
  return `${header}.${payload}.${'A'.repeat(86)}`;
};

function defineRows(account) {
  const { login, tokens } = account;
  const json = (body) => ({ method: 'POST', body: JSON.stringify(body) });
  return [
    {
      id: 'baseline',
      label: 'GET /health (baseline, no storage)',
      path: '/health',
      connections: throughputConnections,
      expect: 'ok',
    },
    // The same Worker with no app code: what its configuration costs (its bindings, its size),
    // and then what /health's headers cost on their way out (see bench/worker.ts).
    {
      id: 'workerBare',
      label: 'bare route in this Worker (bench, no app)',
      path: '/__bench/bare',
      connections: throughputConnections,
      expect: 'ok',
    },
    {
      id: 'workerBareHeaders',
      label: "bare route with /health's headers (bench)",
      path: '/__bench/bare-headers',
      connections: throughputConnections,
      expect: 'ok',
    },
    {
      id: 'me',
      label: 'GET /me, valid token',
      path: '/me',
      headers: { authorization: `Bearer ${tokens.accessToken}` },
      connections: throughputConnections,
      expect: 'ok',
    },
    // The same check with SESSION_READS=primary (bench/worker.ts): without D1's Sessions API.
    {
      id: 'mePrimaryReads',
      label: 'GET /me, SESSION_READS=primary (bench)',
      path: '/__bench/primary-reads/me',
      headers: { authorization: `Bearer ${tokens.accessToken}` },
      connections: throughputConnections,
      expect: 'ok',
    },
    // A well-formed token with a bad signature: the dearest garbage, since it reaches ES256 verify.
    {
      id: 'meGarbage',
      label: 'GET /me, forged token (401)',
      path: '/me',
      headers: { authorization: `Bearer ${forgedToken(tokens.accessToken)}` },
      connections: throughputConnections,
      expect: 'error',
    },
    {
      id: 'jwks',
      label: 'GET /.well-known/jwks.json',
      path: '/.well-known/jwks.json',
      connections: throughputConnections,
      expect: 'ok',
    },
    {
      id: 'login',
      label: 'POST /auth/login, right password',
      path: '/auth/login',
      ...json(login),
      connections: 1,
      expect: 'ok',
    },
    // The same login through the same app whose log sink writes nothing (bench/worker.ts): what
    // the audit line's console call costs under wrangler dev.
    {
      id: 'loginUnlogged',
      label: 'POST /auth/login, log sink off (bench)',
      path: '/__bench/unlogged/auth/login',
      ...json(login),
      connections: 1,
      expect: 'ok',
    },
    {
      id: 'loginWrong',
      label: 'POST /auth/login, wrong password (401)',
      path: '/auth/login',
      ...json({ ...login, password: 'not the password' }),
      connections: 1,
      expect: 'error',
    },
    {
      id: 'loginUnknown',
      label: 'POST /auth/login, unknown user (401)',
      path: '/auth/login',
      ...json({ identifier: 'nobody-here', password: login.password }),
      connections: 1,
      expect: 'error',
    },
    // Each round starts from a fresh login and wrk chains the rotated tokens on one connection:
    // every request is a real, successful rotation, and no login cost leaks into the row.
    {
      id: 'refresh',
      label: 'POST /auth/refresh (chained, single-use)',
      path: '/auth/refresh',
      refresh: true,
      connections: 1,
      expect: 'ok',
    },
    // The OpenID Provider's token endpoint, chained like /auth/refresh: each request spends the
    // refresh token the previous answer gave (rotation, an RS256 ID token and an ES256 access token).
    {
      id: 'oauthToken',
      label: 'POST /oauth2/token, refresh_token (chained)',
      path: '/oauth2/token',
      refresh: 'oauth',
      headers: { authorization: account.oauthClient.basic },
      connections: 1,
      expect: 'ok',
    },
    {
      id: 'pbkdf2',
      label: 'bare PBKDF2-SHA256 100k (bench route)',
      path: '/__bench/pbkdf2',
      connections: 1,
      expect: 'ok',
    },
    // What a login cannot skip, without the app: the limiter call, two D1 trips and the hash.
    {
      id: 'loginFloor',
      label: 'login floor: limiter + 2 D1 + PBKDF2 (bench)',
      path: '/__bench/login-floor',
      connections: 1,
      expect: 'ok',
    },
  ];
}

/** One wrk run of a row; a peer's row names its own server in `base`. */
/** The first token of a chained row: a session's refresh token, or an OAuth client's. */
async function chainStart(url, row, account) {
  if (row.refresh === 'oauth') return oauthRefreshToken(url, account.login, account.oauthClient);
  return row.refresh ? (await logIn(url, account.login)).refreshToken : undefined;
}

async function measureRow(row, server, account, workDir, tag, duration) {
  const refreshToken = await chainStart(server.url, row, account);
  const url = (row.base ?? server.url) + row.path;
  const result = await runWrk({ ...row, url, seconds: duration, refreshToken, workDir, tag });
  const failed = row.expect === 'ok' ? result.statusErrors : result.requests - result.statusErrors;
  if (failed > 0 || result.socketErrors > 0 || result.timeouts > 0 || result.requests === 0) {
    throw new Error(
      `${row.label}: ${failed} unexpected statuses, ${result.socketErrors} socket errors, ${result.timeouts} timeouts in ${result.requests} requests`,
    );
  }
  return result;
}

async function main() {
  const started = Date.now();
  ensureWrk();
  mkdirSync(resultsDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'latchkey-bench-'));
  const logPath = join(resultsDir, 'wrangler.log');
  rmSync(logPath, { force: true });
  let server;
  let peers;
  const stopServer = async () => {
    const running = [server, peers];
    server = undefined;
    peers = undefined;
    await Promise.all(running.map((one) => one?.stop()));
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      stopServer().finally(() => process.exit(130));
    });
  }
  // The whole run is bounded: a hung server or client must not hold a CI slot.
  const watchdog = setTimeout(
    () => {
      console.error('bench: over its time limit, giving up');
      stopServer().finally(() => process.exit(1));
    },
    (primaryRttMs === null ? 10 : 15) * 60_000,
  );
  watchdog.unref();

  try {
    const betterAuthVersion = ensureBetterAuth();
    console.log('bench: building the worker, bare Hono and Better Auth twice (wrangler deploy --dry-run)');
    const app = measureWorker('wrangler.toml', join(workDir, 'app'));
    const bare = measureWorker(bareHonoConfig, join(workDir, 'bare'));
    const betterAuthBundle = measureWorker(betterAuthConfig, join(workDir, 'better-auth'));
    const betterAuthFullBundle = measureWorker(betterAuthFullConfig, join(workDir, 'better-auth-full'));
    const zodMini = await priceZodMini();
    console.log('bench: profiling start-up (wrangler check startup)');
    // wrangler check startup gives up after 10 s; on a loaded machine that is not the worker's
    // fault, so the rows are still measured and the start-up line says why it is missing.
    let startup = null;
    try {
      startup = {
        app: measureStartup('wrangler.toml', workDir),
        bare: measureStartup(bareHonoConfig, workDir),
      };
    } catch (error) {
      console.log(
        `bench: start-up not measured: ${error.message.split('\n').find((line) => /ERROR|timed out/.test(line)) ?? error.message}`,
      );
    }

    const persistDir = join(workDir, 'state');
    applyMigrations(persistDir, logPath);
    console.log(`bench: starting wrangler dev on 127.0.0.1:${port}`);
    server = await startServer({ persistDir, port, inspectorPort: port + 1, logPath });
    const account = await createAccount(server.url);
    console.log(
      `bench: starting Better Auth ${betterAuthVersion} and bare Hono beside it (ports ${port + 2}, ${port + 4})`,
    );
    peers = await startPeers({ workDir, port: port + 2, logPath });
    const latchkeyRows = defineRows(account);
    const rows = [...latchkeyRows, ...peerRows(peers, throughputConnections)];
    console.log('bench: counting D1 round trips per row');
    const trips = await countTrips(server.url, latchkeyRows, account);

    const loadBefore = loadavg()[0];
    console.log(`bench: warming up, then ${rounds} interleaved rounds of ${rows.length} rows x ${seconds} s`);
    for (const row of rows) await measureRow(row, server, account, workDir, `warm-${row.id}`, 1);
    const samples = Object.fromEntries(rows.map((row) => [row.id, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotating the order keeps any drift within a round from always hitting the same row.
      const order = rows.map((_, i) => rows[(i + round) % rows.length]);
      for (const row of order)
        samples[row.id].push(await measureRow(row, server, account, workDir, `${round}-${row.id}`, seconds));
      process.stdout.write(`  round ${round + 1}/${rounds} done\n`);
    }
    const loadAfter = loadavg()[0];
    await stopServer();

    // The far-primary simulation: one fresh server per mode, one round per row.
    const simulation = {};
    if (primaryRttMs !== null) {
      for (const mode of ['primary', 'replica']) {
        console.log(`bench: far primary (${primaryRttMs} ms per D1 round trip), SESSION_READS=${mode}`);
        const modeDir = join(workDir, `state-${mode}`);
        applyMigrations(modeDir, logPath);
        server = await startServer({
          persistDir: modeDir,
          port,
          inspectorPort: port + 1,
          logPath,
          extraVars: { SESSION_READS: mode, BENCH_PRIMARY_RTT_MS: String(primaryRttMs) },
        });
        const modeAccount = await createAccount(server.url);
        // One connection per row: the p50 is then one user's wait, not a queue's.
        const modeRows = defineRows(modeAccount)
          .filter((row) => simulatedRows.includes(row.id))
          .map((row) => ({ ...row, connections: 1 }));
        simulation[mode] = [];
        for (const row of modeRows) {
          await measureRow(row, server, modeAccount, workDir, `far-${mode}-warm-${row.id}`, 1);
          const result = await measureRow(row, server, modeAccount, workDir, `far-${mode}-${row.id}`, seconds);
          simulation[mode].push({ id: row.id, label: row.label, ...poolRounds([result]) });
        }
        await stopServer();
      }
    }

    const results = rows.map((row) => ({
      id: row.id,
      label: row.label,
      connections: row.connections,
      ...poolRounds(samples[row.id]),
    }));
    const by = Object.fromEntries(results.map((row) => [row.id, row]));
    const ratios = goalRatios(by, { app, bare, betterAuth: betterAuthBundle, betterAuthFull: betterAuthFullBundle });

    const machine = `${cpus().length} cores, load ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)} (1-min avg), node ${process.version}`;
    console.log(`\nLatchkey bench: ${rounds} rounds x ${seconds} s per row, wrk -t1; ${machine}\n`);
    console.log(formatTable(results, trips));
    console.log(`\n${formatTrips(trips)}`);
    console.log(`\n${formatRatios(ratios)}`);
    if (primaryRttMs !== null) console.log(`\n${formatSimulation(primaryRttMs, simulation)}`);
    console.log(
      `\nbundle (wrangler deploy --dry-run, gzip by zlib): worker ${kib(app.rawBytes).toFixed(1)} KiB raw / ${kib(app.gzipBytes).toFixed(1)} KiB gzip; bare Hono ${kib(bare.rawBytes).toFixed(1)} KiB / ${kib(bare.gzipBytes).toFixed(1)} KiB`,
    );
    console.log(`  wrangler says: ${app.wranglerLine ?? '(no size line)'}`);
    console.log(
      `  Better Auth ${betterAuthVersion}, built the same way: email+password ${kib(betterAuthBundle.rawBytes).toFixed(1)} KiB raw / ${kib(betterAuthBundle.gzipBytes).toFixed(1)} KiB gzip; same features ${kib(betterAuthFullBundle.rawBytes).toFixed(1)} KiB / ${kib(betterAuthFullBundle.gzipBytes).toFixed(1)} KiB (${betterAuthFeatures()})`,
    );
    console.log(
      `  by package (bytes in output): ${Object.entries(app.byPackage)
        .map(([name, bytes]) => `${name} ${kib(bytes).toFixed(1)} KiB`)
        .join(', ')}`,
    );
    console.log(
      `  node polyfills: ${app.polyfills.length === 0 && app.nodeImports.length === 0 ? 'none' : [...app.polyfills, ...app.nodeImports].join(', ')}; zod locales bundled (besides en): ${app.zodLocales}; jose modules: ${app.joseModules.length}`,
    );
    console.log(
      `  zod/mini instead of zod, same schemas (probe): ${kib(zodMini.classicGzipBytes).toFixed(1)} -> ${kib(zodMini.miniGzipBytes).toFixed(1)} KiB gzip, minified ${kib(zodMini.classicMinifiedGzipBytes).toFixed(1)} -> ${kib(zodMini.miniMinifiedGzipBytes).toFixed(1)} KiB`,
    );
    if (startup) {
      console.log(
        `start-up: "Worker Startup Time" ${app.startupLine ?? 'is not printed offline (Cloudflare measures it on upload)'}; instead, wrangler check startup (local workerd CPU profile, median of ${startup.app.runs}):`,
      );
      console.log(
        `  worker ${startup.app.busyMs.toFixed(1)} ms of non-idle samples (profile span ${startup.app.spanMs.toFixed(1)} ms); bare Hono ${startup.bare.busyMs.toFixed(1)} ms (span ${startup.bare.spanMs.toFixed(1)} ms)`,
      );
    } else {
      console.log('start-up: not measured (wrangler check startup timed out)');
    }

    const subtitle = `${new Date().toISOString().slice(0, 16)}Z, ${rounds}x${seconds}s rounds, ${machine}`;
    writeFileSync(join(resultsDir, 'ratios.svg'), ratiosSvg(ratios, subtitle));
    writeFileSync(
      join(resultsDir, 'latest.json'),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          settings: { rounds, secondsPerRowPerRound: seconds, throughputConnections, wrkThreads: 1 },
          machine: { cores: cpus().length, loadBefore, loadAfter, node: process.version },
          rows: results.map(({ perRoundReqPerSec, ...row }) => ({ ...row, perRoundReqPerSec })),
          d1RoundTrips: trips,
          farPrimary:
            primaryRttMs === null
              ? null
              : {
                  rttMs: primaryRttMs,
                  p50Ms: Object.fromEntries(
                    Object.entries(simulation).map(([mode, modeRows]) => [
                      mode,
                      Object.fromEntries(modeRows.map((row) => [row.id, row.p50Ms])),
                    ]),
                  ),
                },
          ratios: ratios.map((ratio) => ({ ...ratio, status: judge(ratio.value, ratio.goal) })),
          bundle: {
            app: { ...app },
            bareHono: { rawBytes: bare.rawBytes, gzipBytes: bare.gzipBytes },
            betterAuth: {
              version: betterAuthVersion,
              emailPassword: { rawBytes: betterAuthBundle.rawBytes, gzipBytes: betterAuthBundle.gzipBytes },
              sameFeatures: { rawBytes: betterAuthFullBundle.rawBytes, gzipBytes: betterAuthFullBundle.gzipBytes },
              plugins: betterAuthFeatures(),
            },
            zodMini,
          },
          startup,
          elapsedSeconds: (Date.now() - started) / 1000,
        },
        null,
        2,
      )}\n`,
    );
    console.log(
      `\nbench: wrote ${resultsDir}/latest.json and ${resultsDir}/ratios.svg in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await stopServer();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
});
