// Events out on both runtimes: a webhook endpoint registered on the admin API receives a signed
// delivery through the runtime's queue (Cloudflare Queues under `wrangler dev`, Deno KV's queue
// under Deno), checked with the standardwebhooks package; the activity list; the new-device mail.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { baseUrl, newClient, newIdentity, signIn, verifiedAccount } from './support/client.mjs';

const adminKey = process.env.LATCHKEY_ADMIN_KEY;
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** A local receiver (loopback, so plain http is allowed) that keeps every delivery. */
function startReceiver() {
  const deliveries = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, deliveries, port: server.address().port })),
  );
}

async function waitFor(find, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('events out', () => {
  let receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver.server.close());

  it('delivers user.created, signed, through the queue', { skip: !adminKey && 'no LATCHKEY_ADMIN_KEY' }, async () => {
    const client = newClient();
    const created = await client.request('/admin/webhooks', {
      token: adminKey,
      json: { url: `http://127.0.0.1:${receiver.port}/hook`, events: ['user.created'] },
    });
    assert.equal(created.status, 201);
    const { webhook, secret } = await created.json();
    try {
      const identity = newIdentity();
      assert.equal((await client.request('/auth/register', { json: identity })).status, 201);
      const delivery = await waitFor(
        () => receiver.deliveries.find((entry) => entry.body.includes(`"${identity.username}"`)),
        'the webhook delivery',
      );
      const payload = new Webhook(secret).verify(delivery.body, delivery.headers);
      assert.equal(payload.type, 'user.created');
      assert.deepEqual(payload.data.user.email, identity.email);
      assert.match(delivery.headers['webhook-id'], /^evt_/);
      assert.ok(!delivery.body.includes(identity.password));
    } finally {
      await client.request(`/admin/webhooks/${webhook.id}`, { method: 'DELETE', token: adminKey });
    }
  });

  it('lists the account’s security activity, newest first', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const tokens = await signIn(client, identity);
    const response = await client.request('/auth/activity', { token: tokens.accessToken });
    assert.equal(response.status, 200);
    const { activity } = await response.json();
    assert.deepEqual(
      activity.map((entry) => entry.type),
      ['session.created', 'user.email_verified', 'user.created'],
    );
    assert.equal(activity[0].details.method, 'password');
  });

  it('mails a notice for a sign-in from a browser the account has not used', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    await signIn(client, identity);
    const response = await client.request('/auth/login', {
      json: { identifier: identity.username, password: identity.password },
      headers: { 'user-agent': FIREFOX },
    });
    assert.equal(response.status, 200);
    const mail = await waitFor(async () => {
      const { messages } = await (await fetch(`${baseUrl}/dev/mailbox`)).json();
      return messages.find((message) => message.to === identity.email && message.subject.startsWith('New sign-in'));
    }, 'the new-device mail');
    assert.match(mail.text, /Device: Firefox on Linux/);
    assert.match(mail.text, /\/account#sessions/);
  });
});
