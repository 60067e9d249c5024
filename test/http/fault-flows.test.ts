// Every account flow with each of its storage steps failed in turn, three ways: a blip (that one
// call fails), an outage (every call from that step on fails) and a lost answer (the call lands,
// then throws). Whatever fails, the answer is a success or 503 `unavailable`, never a 500; the
// user's rows stay consistent; and the client's retry of a 503 succeeds, or, when the first
// attempt's decisive write had landed, answers "already done" with the change in place.
// The table of outcomes is printed at the end (README "Failure behaviour" quotes it).
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Harness,
  type TokenBody,
  createHarness,
  signedInUser,
  tokenFromMail,
  uniqueIdentity,
} from '../support/harness';
import { type FaultMode, type StorageStep, stepFaults } from '../support/step-faults';

const NEW_PASSWORD = 'a different horse battery';

interface Context {
  identity: ReturnType<typeof uniqueIdentity>;
  tokens?: TokenBody;
  mailToken?: string;
}

interface Flow {
  name: string;
  setup(harness: Harness): Promise<Context>;
  run(harness: Harness, context: Context): Promise<Response>;
  ok: number;
  /** When a 503 came after the decisive write: the retry's answer, and that the change is in place. */
  landed?: { status: number; check(context: Context): Promise<boolean> };
  /** A used token must not work again: the answer a repeat gets after success. */
  reuse?: { status: number; prepare?(harness: Harness): void };
}

async function userRow(username: string) {
  return env.DB.prepare(
    `select u.id, u.email_verified_at as verifiedAt, a.credential_version as version
       from users u left join accounts a on a.user_id = u.id where u.username = ?1`,
  )
    .bind(username)
    .first<{ id: string; verifiedAt: number | null; version: number | null }>();
}

async function sessionCount(username: string) {
  const row = await env.DB.prepare(
    'select count(*) as n from sessions s join users u on u.id = s.user_id where u.username = ?1',
  )
    .bind(username)
    .first<{ n: number }>();
  return row!.n;
}

/** No user without credential and profile, no session without user, no rotation without successor. */
async function expectConsistent(username: string) {
  const user = await userRow(username);
  const id = user?.id ?? '';
  const counts = await env.DB.prepare(
    `select (select count(*) from users where id = ?1) as users,
            (select count(*) from accounts where user_id = ?1) as accounts,
            (select count(*) from profiles where user_id = ?1) as profiles,
            (select count(*) from sessions s where not exists (select 1 from users u where u.id = s.user_id)) as orphanSessions,
            (select count(*) from refresh_tokens r where not exists (select 1 from sessions s where s.id = r.session_id)) as orphanTokens,
            (select count(*) from refresh_tokens r join sessions s on s.id = r.session_id
              where s.user_id = ?1 and r.rotated_at is not null and r.grace_used_at is null
                and not exists (select 1 from refresh_tokens n where n.digest = r.successor)) as danglingRotations`,
  )
    .bind(id)
    .first<Record<string, number>>();
  expect(counts!.accounts).toBe(counts!.users);
  expect(counts!.profiles).toBe(counts!.users);
  expect(counts!.orphanSessions).toBe(0);
  expect(counts!.orphanTokens).toBe(0);
  expect(counts!.danglingRotations).toBe(0);
}

async function registered(harness: Harness): Promise<Context> {
  const identity = uniqueIdentity('fault');
  const response = await harness.request('/auth/register', { method: 'POST', json: identity });
  if (response.status !== 201) throw new Error(`setup: register answered ${response.status}`);
  return { identity, mailToken: await tokenFromMail(harness, identity.email, '/verify-email') };
}

async function signedIn(harness: Harness): Promise<Context> {
  const { identity, tokens } = await signedInUser(harness, 'fault');
  return { identity, tokens };
}

const post = (harness: Harness, path: string, json: unknown, token?: string) =>
  harness.request(path, { method: 'POST', json, token });

const flows: Flow[] = [
  {
    name: 'register',
    setup: async () => ({ identity: uniqueIdentity('fault') }),
    run: (h, { identity }) => post(h, '/auth/register', identity),
    ok: 201,
    landed: { status: 409, check: async ({ identity }) => (await userRow(identity.username)) !== null },
  },
  {
    name: 'verify email',
    setup: registered,
    run: (h, { mailToken }) => post(h, '/auth/verify-email', { token: mailToken }),
    ok: 200,
    landed: { status: 400, check: async ({ identity }) => (await userRow(identity.username))?.verifiedAt != null },
    reuse: { status: 400 },
  },
  {
    name: 'login',
    setup: async (h) => {
      const context = await registered(h);
      await post(h, '/auth/verify-email', { token: context.mailToken });
      return context;
    },
    run: (h, { identity }) => post(h, '/auth/login', { identifier: identity.username, password: identity.password }),
    ok: 200,
  },
  {
    name: 'refresh',
    setup: signedIn,
    run: (h, { tokens }) => post(h, '/auth/refresh', { refreshToken: tokens!.refreshToken }),
    ok: 200,
    // Past the grace window a rotated token is reuse.
    reuse: { status: 400, prepare: (h) => h.clock.advance(10 * 60 * 1000) },
  },
  {
    name: 'logout',
    setup: signedIn,
    run: (h, { tokens }) => post(h, '/auth/logout', undefined, tokens!.accessToken),
    ok: 204,
    landed: { status: 401, check: async ({ identity }) => (await sessionCount(identity.username)) === 0 },
  },
  {
    name: 'forgot password',
    setup: signedIn,
    run: (h, { identity }) => post(h, '/auth/forgot-password', { email: identity.email }),
    ok: 202,
  },
  {
    name: 'reset password',
    setup: async (h) => {
      const context = await signedIn(h);
      await post(h, '/auth/forgot-password', { email: context.identity.email });
      return { ...context, mailToken: await tokenFromMail(h, context.identity.email, '/reset-password') };
    },
    run: (h, { mailToken }) => post(h, '/auth/reset-password', { token: mailToken, password: NEW_PASSWORD }),
    ok: 200,
    landed: { status: 400, check: async ({ identity }) => (await userRow(identity.username))?.version === 1 },
    reuse: { status: 400 },
  },
  {
    name: 'change password',
    setup: signedIn,
    run: (h, { identity, tokens }) =>
      post(
        h,
        '/auth/change-password',
        { currentPassword: identity.password, newPassword: NEW_PASSWORD },
        tokens!.accessToken,
      ),
    ok: 200,
    landed: { status: 401, check: async ({ identity }) => (await userRow(identity.username))?.version === 1 },
  },
  {
    name: 'delete account',
    setup: signedIn,
    run: (h, { identity, tokens }) =>
      h.request('/me', { method: 'DELETE', json: { password: identity.password }, token: tokens!.accessToken }),
    ok: 204,
    landed: { status: 401, check: async ({ identity }) => (await userRow(identity.username)) === null },
  },
];

const modes: FaultMode[] = ['blip', 'outage', 'lost'];
const table: string[][] = [];

/** One cell of the table: the answer, what the retry got, and whether storage retried. */
function outcome(first: number, retried: boolean, retry?: number): string {
  const parts = [String(first)];
  if (retried) parts[0] += ' (retried)';
  if (retry !== undefined) parts.push(`client retry ${retry}`);
  return parts.join(', ');
}

function freshHarness() {
  const faults = stepFaults();
  return { faults, harness: createHarness({ wrapStorage: faults.wrapStorage }) };
}

describe('each flow with each storage step failed in turn', () => {
  for (const flow of flows) {
    it(`${flow.name}: answers success or 503, never 500; stays consistent; a client retry succeeds`, async () => {
      // The steps of a healthy run.
      const record = freshHarness();
      const recordContext = await flow.setup(record.harness);
      record.faults.arm();
      expect((await flow.run(record.harness, recordContext)).status).toBe(flow.ok);
      const steps: StorageStep[] = record.faults.disarm();
      expect(steps.length).toBeGreaterThan(0);

      for (const [index, step] of steps.entries()) {
        const row = [flow.name, `${index + 1}. ${step.label}`];
        for (const mode of modes) {
          const { faults, harness } = freshHarness();
          const context = await flow.setup(harness);
          faults.arm({ mode, step: index + 1 });
          const response = await flow.run(harness, context);
          faults.disarm();
          const where = `${flow.name}, ${mode} at step ${index + 1} (${step.label})`;

          expect([flow.ok, 503], where).toContain(response.status);
          const retried = harness.logs.some((line) => line.includes('"storage.retried"'));
          expect(harness.logs.join('\n'), where).not.toMatch(/\b(select|insert|update|delete from)\b/i);
          await expectConsistent(context.identity.username);

          let retryStatus: number | undefined;
          if (response.status === 503) {
            expect(response.headers.get('retry-after'), where).toMatch(/^\d+$/);
            expect((await response.json()) as { code: string }).toMatchObject({ code: 'unavailable' });
            expect(
              harness.logs.some((line) => line.includes('"request.unavailable"')),
              where,
            ).toBe(true);
            const retry = await flow.run(harness, context);
            retryStatus = retry.status;
            if (retry.status !== flow.ok) {
              expect(flow.landed, `${where}: retry answered ${retry.status}`).toBeDefined();
              expect(retry.status, where).toBe(flow.landed!.status);
              expect(await flow.landed!.check(context), where).toBe(true);
            }
            await expectConsistent(context.identity.username);
          }
          if (flow.reuse) {
            flow.reuse.prepare?.(harness);
            expect((await flow.run(harness, context)).status, `${where}: reuse`).toBe(flow.reuse.status);
          }
          row.push(outcome(response.status, retried, retryStatus));
        }
        table.push(row);
      }
    }, 180_000);
  }
});

afterAll(() => {
  const lines = [
    '| Flow | Failed storage step | Blip (that call fails once) | Outage (every call from there fails) | Lost answer (call lands, then fails) |',
    '| --- | --- | --- | --- | --- |',
    ...table.map((row) => `| ${row.join(' | ')} |`),
  ];
  console.log(`\nFAULT TABLE\n${lines.join('\n')}\nEND FAULT TABLE`);
});
