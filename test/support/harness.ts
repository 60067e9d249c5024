// Drives the real app inside workerd, against the real local D1 and KV, with time, outbound
// fetch and the log sink injected (no globals patched).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createApp } from '../../src/app';
import type { Env } from '../../src/config';
import type { ServiceOverrides } from '../../src/services';
import { type CapturedMail, readMailbox } from '../../src/mail/console-mailer';

export class TestClock {
  constructor(public current = Date.now()) {}
  now = () => this.current;
  advance(ms: number) {
    this.current += ms;
  }
}

export interface Harness {
  clock: TestClock;
  /** This harness's client address (CF-Connecting-IP), unique so rate limits do not leak between tests. */
  ip: string;
  logs: string[];
  outbound: Request[];
  request(path: string, init?: RequestInit & { json?: unknown; token?: string }): Promise<Response>;
  mailbox(): Promise<CapturedMail[]>;
}

let harnessCount = 0;

/** How many real and dummy password checks the app ran. */
export interface PasswordChecks {
  verify: number;
  verifyDummy: number;
}

export function createHarness(
  options: {
    env?: Partial<Env>;
    fetch?: (request: Request) => Promise<Response>;
    passwordChecks?: PasswordChecks;
    /** Wraps the D1 and KV bindings the app's services use (fault injection). */
    wrapStorage?: ServiceOverrides['wrapStorage'];
    /** Where webhook deliveries go (events out); by default the EVENTS_QUEUE binding. */
    eventQueue?: ServiceOverrides['eventQueue'];
  } = {},
): Harness {
  const clock = new TestClock();
  const logs: string[] = [];
  const outbound: Request[] = [];
  const app = createApp({
    clock,
    wrapStorage: options.wrapStorage,
    eventQueue: options.eventQueue,
    log: (line) => logs.push(line),
    fetch: async (input, init) => {
      const request = new Request(input, init);
      outbound.push(request.clone());
      return options.fetch ? options.fetch(request) : new Response('{}', { status: 200 });
    },
    wrapPasswords: (hasher) => {
      const checks = options.passwordChecks;
      if (!checks) return hasher;
      return {
        ...hasher,
        verify: (password, stored) => {
          checks.verify += 1;
          return hasher.verify(password, stored);
        },
        verifyDummy: (password) => {
          checks.verifyDummy += 1;
          return hasher.verifyDummy(password);
        },
      };
    },
  });
  const testEnv = { ...env, ...options.env } as Env;
  // Per-client limits key IPv6 clients by their /64, so each harness gets a random /64 of its own.
  const [a, b] = crypto.getRandomValues(new Uint16Array(2));
  const ip = `2001:db8:${a!.toString(16)}:${b!.toString(16)}::${(++harnessCount).toString(16)}`;

  return {
    clock,
    ip,
    logs,
    outbound,
    async request(path, init = {}) {
      const { json, token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (!headers.has('cf-connecting-ip')) headers.set('cf-connecting-ip', ip);
      const ctx = createExecutionContext();
      const response = await app.fetch(
        new Request(`https://latchkey.test${path}`, {
          ...rest,
          headers,
          body: json !== undefined ? JSON.stringify(json) : rest.body,
        }),
        testEnv,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return response;
    },
    mailbox: () => readMailbox(env.KV),
  };
}

let counter = 0;

/** A username and email no other test uses. */
/**
 * A production configuration that mails through Resend (intercepted: the harness records each
 * outbound request). The breach check, on by default in production, is off so that tests count
 * the mail requests alone.
 */
export const RESEND_PRODUCTION_ENV = {
  ENVIRONMENT: 'production',
  APP_URL: 'https://auth.example',
  MAIL_PROVIDER: 'resend',
  MAIL_FROM: 'Latchkey <auth@example.com>',
  RESEND_API_KEY: 're_test_key',
  PASSWORD_BREACH_CHECK: 'off',
};

export function uniqueIdentity(prefix = 'user') {
  counter += 1;
  const suffix = `${Date.now().toString(36)}${counter}`;
  return {
    username: `${prefix}_${suffix}`,
    email: `${prefix}.${suffix}@example.com`,
    password: 'correct horse battery',
  };
}

/** The token in the newest mail to `email` whose link goes to `path`. */
export async function tokenFromMail(harness: Harness, email: string, path: string): Promise<string> {
  const mail = (await harness.mailbox()).find((message) => message.to === email && message.text.includes(path));
  if (!mail) throw new Error(`no mail with ${path} to ${email}`);
  const match = /token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match) throw new Error('mail has no token');
  return match[1]!;
}

export interface TokenBody {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
  refreshToken: string;
  user: { id: string; username: string; email: string; emailVerified: boolean };
}

/** Registers and verifies a user, then logs in; returns the identity and the token response. */
export async function signedInUser(harness: Harness, prefix = 'user') {
  const identity = uniqueIdentity(prefix);
  const registered = await harness.request('/auth/register', { method: 'POST', json: identity });
  if (registered.status !== 201) throw new Error(`register answered ${registered.status}`);
  const token = await tokenFromMail(harness, identity.email, '/verify-email');
  const verified = await harness.request('/auth/verify-email', { method: 'POST', json: { token } });
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}`);
  const login = await harness.request('/auth/login', {
    method: 'POST',
    json: { identifier: identity.username, password: identity.password },
  });
  if (login.status !== 200) throw new Error(`login answered ${login.status}`);
  const tokens = (await login.json()) as TokenBody;
  return { identity, tokens };
}
