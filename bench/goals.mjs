// The ratios the benchmark steers by, each with its goal ([min, max], either end null for a
// context line). Latchkey against itself (the bare hash, the login's floor, its own /health),
// against the peers served in the same run (Better Auth, a bare Hono worker), and its bundle.
import { kib } from './bundle.mjs';

/** `by` maps a row id to its pooled result; `bundles` holds the measured builds. */
export function goalRatios(by, { app, bare, betterAuth, betterAuthFull }) {
  return [
    {
      id: 'loginOverPbkdf2',
      label: 'login p50 / bare PBKDF2 p50',
      value: by.login.p50Ms / by.pbkdf2.p50Ms,
      goal: [null, 1.2],
    },
    {
      id: 'floorOverPbkdf2',
      label: 'login floor p50 / bare PBKDF2 p50 (the runtime)',
      value: by.loginFloor.p50Ms / by.pbkdf2.p50Ms,
      goal: [null, null],
    },
    {
      id: 'loginOverFloor',
      label: 'login p50 / login floor p50 (the app)',
      value: by.login.p50Ms / by.loginFloor.p50Ms,
      goal: [null, 1.15],
    },
    {
      id: 'unloggedLoginOverFloor',
      label: '  login with the log sink off p50 / login floor p50',
      value: by.loginUnlogged.p50Ms / by.loginFloor.p50Ms,
      goal: [null, null],
    },
    {
      id: 'unknownOverWrong',
      label: 'unknown-user login p50 / wrong-password login p50',
      value: by.loginUnknown.p50Ms / by.loginWrong.p50Ms,
      goal: [0.9, 1.1],
    },
    {
      id: 'meOverBaseline',
      label: '/me req/s / baseline req/s',
      value: by.me.reqPerSec / by.baseline.reqPerSec,
      goal: [0.5, null],
    },
    {
      id: 'garbageOverBaseline',
      label: 'forged-token /me req/s / baseline req/s',
      value: by.meGarbage.reqPerSec / by.baseline.reqPerSec,
      goal: [0.8, null],
    },
    {
      id: 'signInOverBetterAuth',
      label: 'login p50 / Better Auth sign-in p50',
      value: by.login.p50Ms / by.baSignIn.p50Ms,
      goal: [null, 0.45],
    },
    {
      id: 'meOverBetterAuthSession',
      label: '/me req/s / Better Auth get-session req/s',
      value: by.me.reqPerSec / by.baSession.reqPerSec,
      goal: [1.3, null],
    },
    {
      id: 'mePrimaryReadsOverBetterAuthSession',
      label: '  /me with SESSION_READS=primary / get-session (no Sessions API)',
      value: by.mePrimaryReads.reqPerSec / by.baSession.reqPerSec,
      goal: [null, null],
    },
    {
      id: 'baselineOverBareHono',
      label: '/health req/s / bare Hono /health req/s',
      value: by.baseline.reqPerSec / by.bareHono.reqPerSec,
      goal: [0.9, null],
    },
    // The /health gap to bare Hono, in three factors that multiply to it.
    {
      id: 'workerBareOverBareHono',
      label: '  this Worker, bare route / bare Hono (its config)',
      value: by.workerBare.reqPerSec / by.bareHono.reqPerSec,
      goal: [null, null],
    },
    {
      id: 'headersOverWorkerBare',
      label: '  bare route with the headers / without (headers)',
      value: by.workerBareHeaders.reqPerSec / by.workerBare.reqPerSec,
      goal: [null, null],
    },
    {
      id: 'baselineOverHeaders',
      label: '  /health / bare route with its headers (the app)',
      value: by.baseline.reqPerSec / by.workerBareHeaders.reqPerSec,
      goal: [null, null],
    },
    {
      id: 'betterAuthBareOverBareHono',
      label: 'Better Auth /health req/s / bare Hono req/s',
      value: by.baHealth.reqPerSec / by.bareHono.reqPerSec,
      goal: [null, null],
    },
    {
      id: 'bundleOverBareHono',
      label: 'worker gzip / bare Hono gzip',
      value: app.gzipBytes / bare.gzipBytes,
      goal: [null, null],
      unit: 'x',
    },
    {
      id: 'bundleOverBetterAuthFull',
      label: 'worker gzip / Better Auth same-feature gzip',
      value: app.gzipBytes / betterAuthFull.gzipBytes,
      goal: [null, 0.3],
    },
    {
      id: 'bundleOverBetterAuth',
      label: 'worker gzip / Better Auth email+password gzip',
      value: app.gzipBytes / betterAuth.gzipBytes,
      goal: [null, null],
    },
    { id: 'bundleGzipKiB', label: 'worker gzip size', value: kib(app.gzipBytes), goal: [null, 160], unit: ' KiB' },
  ];
}
