// Sign-in by email over HTTP: the same 202 for an unknown address (which gets no mail), a link that
// signs in once, a code that signs in, and five wrong codes that spend the mail's code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseUrl, expectProblem, newClient, newIdentity, verifiedAccount } from './support/client.mjs';

/** The newest sign-in mail to `email`, read from the development mailbox until it arrives. */
async function mailedSignIn(email, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { messages } = await (await fetch(`${baseUrl}/dev/mailbox`)).json();
    for (const message of messages) {
      if (message.to !== email) continue;
      const token = /\/signin\/email\?token=([A-Za-z0-9_-]+)/.exec(message.text);
      const code = /sign-in page: (\d{6})/.exec(message.text);
      if (token && code) return { token: token[1], code: code[1] };
    }
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function askForMail(client, email) {
  const response = await client.request('/auth/email-sign-in', { json: { email } });
  assert.equal(response.status, 202);
  return response.json();
}

const verify = (client, json) => client.request('/auth/email-sign-in/verify', { json });

describe('sign-in by email', () => {
  it('answers 202 alike for an unknown address, and mails it nothing', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    const unknown = newIdentity().email;
    const other = await askForMail(client, unknown);
    const known = await askForMail(client, identity.email);
    assert.deepEqual(other, known);
    assert.ok(await mailedSignIn(identity.email));
    assert.equal(await mailedSignIn(unknown, 300), null);
  });

  it('signs in once with the link: a second use is invalid_token', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    await askForMail(client, identity.email);
    const { token } = await mailedSignIn(identity.email);
    const first = await verify(client, { token });
    assert.equal(first.status, 200);
    assert.equal((await first.json()).user.email, identity.email);
    await expectProblem(await verify(client, { token }), 400, 'invalid_token');
  });

  it('signs in with the mailed code', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    await askForMail(client, identity.email);
    const { code } = await mailedSignIn(identity.email);
    const response = await verify(client, { email: identity.email, code });
    assert.equal(response.status, 200);
    assert.ok((await response.json()).accessToken);
  });

  it('spends the code after five wrong tries: the right one then fails too', async () => {
    const client = newClient();
    const identity = await verifiedAccount(client);
    await askForMail(client, identity.email);
    const { code } = await mailedSignIn(identity.email);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      await expectProblem(await verify(client, { email: identity.email, code: wrong }), 401, 'invalid_code');
    }
    await expectProblem(await verify(client, { email: identity.email, code }), 401, 'invalid_code');
  });
});
