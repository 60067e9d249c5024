// Runs wrk for one row and one round, and pools the rounds. wrk is event-driven C: one thread
// keeps many connections busy for a few percent of a core, which leaves the machine's other
// capacity to workerd (a Node load generator would take a whole core on a 2-core machine).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const luaScript = new URL('./wrk.lua', import.meta.url).pathname;

/** Installs wrk from Debian when it is missing; the bench is meant for a root CI container. */
export function ensureWrk() {
  if (spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error('wrk is not installed; install it (apt-get install wrk) or run as root');
  console.log('bench: installing wrk with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'wrk'],
  ]) {
    const result = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed`);
  }
}

/**
 * One wrk run. Returns the request count, the duration and the full latency histogram
 * (microseconds -> count), and the number of answers outside 2xx/3xx.
 */
export async function runWrk({
  url,
  method = 'GET',
  body,
  headers = {},
  connections,
  seconds,
  refreshToken,
  refresh,
  workDir,
  tag,
}) {
  const report = join(workDir, `wrk-${tag}.txt`);
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', luaScript];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  const env = { ...process.env, BENCH_METHOD: method, BENCH_BODY: body ?? '', BENCH_REPORT: report };
  if (refreshToken) env.BENCH_REFRESH_TOKEN = refreshToken;
  // `oauth`: the OpenID Provider's token endpoint (a form body, snake_case answer).
  if (refresh === 'oauth') env.BENCH_REFRESH_KIND = 'oauth';

  const child = spawn('wrk', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${stderr}`);

  const [head, ...lines] = readFileSync(report, 'utf8').trim().split('\n');
  rmSync(report);
  const [requests, durationUs, statusErrors, socketErrors, timeouts] = head.split(' ').map(Number);
  const histogram = new Map();
  for (const line of lines) {
    const [value, count] = line.split(' ').map(Number);
    histogram.set(value, (histogram.get(value) ?? 0) + count);
  }
  return { requests, durationUs, statusErrors, socketErrors, timeouts, histogram };
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The p-th percentile of a latency histogram (microseconds to count), in milliseconds. */
function percentileOf(histogram, p) {
  const values = [...histogram.keys()].sort((a, b) => a - b);
  const total = values.reduce((sum, value) => sum + histogram.get(value), 0);
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const value of values) {
    seen += histogram.get(value);
    if (seen >= rank) return value / 1000;
  }
  return Number.NaN;
}

/**
 * Pools rounds. Throughput and p50 are the median of the rounds' own figures, so one round that
 * the machine disturbed (another process, a VM neighbour) does not move a row; p99 comes from the
 * merged histogram, since the tail is what a disturbance shows.
 */
export function poolRounds(rounds) {
  const merged = new Map();
  let requests = 0;
  for (const round of rounds) {
    requests += round.requests;
    for (const [value, count] of round.histogram) merged.set(value, (merged.get(value) ?? 0) + count);
  }
  const perRoundReqPerSec = rounds.map((round) => round.requests / (round.durationUs / 1e6));
  return {
    requests,
    reqPerSec: median(perRoundReqPerSec),
    p50Ms: median(rounds.map((round) => percentileOf(round.histogram, 50))),
    p99Ms: percentileOf(merged, 99),
    perRoundReqPerSec,
  };
}
