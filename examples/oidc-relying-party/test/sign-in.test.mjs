// The example relying party signs a person in through Latchkey, in Debian's Chromium. Two
// `wrangler dev` servers over https (the OIDC client refuses plain http; the certificates are
// wrangler's self-signed ones): Latchkey on localhost (`npm run dev` with the admin API on), and
// the example on 127.0.0.1, reaching Latchkey through its LATCHKEY service binding.
// Run: node --test examples/oidc-relying-party/test/sign-in.test.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { totpCode } from '../../../test-http/support/totp.mjs';

// Both servers present wrangler's self-signed certificate; this process only talks to them.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const ADMIN_KEY = `example-${randomBytes(24).toString('hex')}`;
const PASSWORD = 'correct horse battery staple';
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  // A dev registry of this test's own: the LATCHKEY binding must reach this Latchkey, not another
  // `wrangler dev` named latchkey that happens to run on the machine.
  WRANGLER_REGISTRY_PATH: mkdtempSync(join(tmpdir(), 'latchkey-oidc-registry-')),
  PATH: `${process.cwd()}/node_modules/.bin:${process.env.PATH}`,
};
const servers = [];
let browser;

function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a server in a process group of its own and waits for `url` to answer. */
async function start(args, url) {
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'ignore', 'inherit'], env });
  servers.push(child);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} did not answer`);
}

async function json(url, init = {}) {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
  return { status: response.status, body: await response.json().catch(() => null) };
}

let latchkey;
let app;

before(async () => {
  const [latchkeyPort, appPort] = [await freePort(), await freePort()];
  latchkey = `https://localhost:${latchkeyPort}`;
  app = `https://127.0.0.1:${appPort}`;
  const state = mkdtempSync(join(tmpdir(), 'latchkey-oidc-example-'));
  await start(
    [
      'scripts/dev.mjs',
      '--port',
      String(latchkeyPort),
      '--inspector-port',
      String(await freePort()),
      '--local-protocol',
      'https',
      '--persist-to',
      state,
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
      '--var',
      `ADMIN_API_KEY:${ADMIN_KEY}`,
    ],
    `${latchkey}/health`,
  );
  const client = await json(`${latchkey}/admin/oauth/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ name: 'Example app', redirectUris: [`${app}/callback`], firstParty: true }),
  });
  assert.equal(client.status, 201);
  await start(
    [
      'node_modules/wrangler/bin/wrangler.js',
      'dev',
      '-c',
      'examples/oidc-relying-party/wrangler.toml',
      '--ip',
      '127.0.0.1',
      '--port',
      String(appPort),
      '--inspector-port',
      String(await freePort()),
      '--local-protocol',
      'https',
      '--persist-to',
      state,
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
      '--var',
      `OIDC_ISSUER:${latchkey}`,
      '--var',
      `OIDC_CLIENT_ID:${client.body.clientId}`,
      '--var',
      `OIDC_CLIENT_SECRET:${client.body.clientSecret}`,
      '--var',
      `OIDC_AUTH_SECRET:${randomBytes(24).toString('hex')}`,
    ],
    `${app}/signed-out`,
  );
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  for (const child of servers) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 1500));
  for (const child of servers) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/** A person with a verified address, made through the API and the development mailbox. */
async function newPerson() {
  const name = `rp${randomBytes(5).toString('hex')}`;
  const person = { username: name, email: `${name}@example.com`, password: PASSWORD };
  assert.equal((await json(`${latchkey}/auth/register`, { method: 'POST', body: JSON.stringify(person) })).status, 201);
  let token;
  for (let i = 0; i < 50 && !token; i++) {
    const { body } = await json(`${latchkey}/dev/mailbox`);
    token = body.messages
      .filter((message) => message.to === person.email)
      .map((message) => /verify-email\?token=([\w-]+)/.exec(message.text)?.[1])
      .find(Boolean);
    if (!token) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const verified = await json(`${latchkey}/auth/verify-email`, { method: 'POST', body: JSON.stringify({ token }) });
  assert.equal(verified.status, 200);
  return person;
}

describe('the example relying party with @hono/oidc-auth', () => {
  it('signs a person in through Latchkey and shows who they are', async () => {
    const person = await newPerson();
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${app}/`);
    await page.waitForURL(/\/signin\?/);
    assert.ok(page.url().startsWith(`${latchkey}/signin`));
    await page.fill('input[name=identifier]', person.username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('form[action="/signin"] button[type=submit]');
    await page.waitForURL(`${app}/`);
    assert.equal(await page.textContent('[data-testid=who]'), `Signed in as ${person.email}`);
    await context.close();
  });

  it('asks a person with two-step sign-in for the second step, then returns them to the app', async () => {
    const person = await newPerson();
    const login = await json(`${latchkey}/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ identifier: person.username, password: PASSWORD }),
    });
    const auth = { authorization: `Bearer ${login.body.accessToken}` };
    const setup = await json(`${latchkey}/auth/mfa/totp/setup`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ password: PASSWORD }),
    });
    const confirm = await json(`${latchkey}/auth/mfa/totp/confirm`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ code: totpCode(setup.body.secret) }),
    });
    assert.equal(confirm.status, 200);
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${app}/`);
    await page.waitForURL(/\/signin\?/);
    await page.fill('input[name=identifier]', person.username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('form[action="/signin"] button[type=submit]');
    // The password alone signs no one in: the second step asks for a code (a recovery code here,
    // since the confirming step's TOTP code is spent).
    await page.waitForSelector('form[action="/signin/verify"]');
    assert.ok(page.url().startsWith(`${latchkey}/signin`));
    await page.fill('form[action="/signin/verify"] input[name=code]', confirm.body.recoveryCodes[0]);
    await page.click('form[action="/signin/verify"] button[type=submit]');
    await page.waitForURL(`${app}/`);
    assert.equal(await page.textContent('[data-testid=who]'), `Signed in as ${person.email}`);
    await context.close();
  });
});
