// Counts the D1 round trips of each row: one request at a time, reading the benchmark worker's
// counter (/__bench/d1-trips) before and after. Work deferred with waitUntil counts too, so the
// counter is read until it stops moving. Register is counted here only (wrk cannot register a
// new user per request).
import { setTimeout as sleep } from 'node:timers/promises';
import { URLSearchParams } from 'node:url';
import { oauthRefreshToken } from './oauth.mjs';
import { logIn, postJson } from './server.mjs';

/** The round-trip goals per row; rows not listed have none. */
export const tripGoals = { baseline: 0, me: 1, jwks: 0, login: 2, refresh: 2, register: 2 };

async function readTrips(url) {
  const trips = await (await fetch(`${url}/__bench/d1-trips`)).json();
  return trips;
}

async function settledTrips(url) {
  let last = await readTrips(url);
  for (let i = 0; i < 20; i++) {
    await sleep(30);
    const now = await readTrips(url);
    if (now.primary === last.primary && now.replica === last.replica) return now;
    last = now;
  }
  return last;
}

async function send(url, row, state) {
  if (row.refresh === 'oauth') {
    const response = await fetch(url + row.path, {
      method: 'POST',
      headers: { ...row.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: state.refreshToken }),
    });
    state.refreshToken = (await response.json()).refresh_token;
    return response.status;
  }
  if (row.refresh) {
    const answer = await postJson(`${url}/auth/refresh`, { refreshToken: state.refreshToken });
    state.refreshToken = answer.body?.refreshToken;
    return answer.status;
  }
  const response = await fetch(url + row.path, {
    method: row.method ?? 'GET',
    headers: { ...row.headers, ...(row.body ? { 'content-type': 'application/json' } : {}) },
    body: row.body,
  });
  await response.arrayBuffer();
  return response.status;
}

/** Round trips per request of each row (primary and replica), over `samples` requests. */
export async function countTrips(url, rows, account, samples = 3) {
  const registerRow = {
    id: 'register',
    label: 'POST /auth/register (trips only)',
    path: '/auth/register',
    method: 'POST',
    next: (i) =>
      JSON.stringify({ username: `trips_${i}`, email: `trips.${i}@example.com`, password: account.login.password }),
  };
  const counted = {};
  for (const row of [...rows, registerRow]) {
    const state = {
      refreshToken:
        row.refresh === 'oauth'
          ? await oauthRefreshToken(url, account.login, account.oauthClient)
          : row.refresh
            ? (await logIn(url, account.login)).refreshToken
            : undefined,
    };
    const per = [];
    for (let i = 0; i < samples; i++) {
      const body = row.next ? row.next(i) : row.body;
      const before = await settledTrips(url);
      await send(url, { ...row, body }, state);
      const after = await settledTrips(url);
      per.push({ primary: after.primary - before.primary, replica: after.replica - before.replica });
    }
    // Every sample of a row should agree; the largest is reported so a stray extra trip shows.
    const worst = per.reduce((a, b) => (b.primary + b.replica > a.primary + a.replica ? b : a));
    counted[row.id] = { label: row.label, ...worst, total: worst.primary + worst.replica, goal: tripGoals[row.id] };
  }
  return counted;
}

export function formatTrips(counted) {
  const lines = ['D1 round trips per request (primary + replica; goal):'];
  for (const [id, row] of Object.entries(counted)) {
    const mark = row.goal === undefined ? '' : row.total <= row.goal ? 'pass' : 'MISS';
    const goal = row.goal === undefined ? '' : `goal ${row.goal}`;
    lines.push(
      `  ${row.label.padEnd(44)} ${String(row.total).padStart(2)}  (${row.primary} primary, ${row.replica} replica)  ${goal.padEnd(7)} ${mark}`.trimEnd(),
    );
    void id;
  }
  return lines.join('\n');
}
