// The pages of sign-in by email through the worker: /signin offers it, asking answers alike for any
// address, the mailed link's GET spends nothing and only its POST signs in, the code signs in on
// the device that asked, and every refusal is a page with words, never a problem document.
import { describe, expect, it } from 'vitest';
import { type Harness, createHarness, signedInUser, uniqueIdentity } from './support/harness';
import { Jar, postForm, visit } from './support/page-browser';
import { turnOnTotp } from './support/totp';

const ACCESS_COOKIE = '__Host-latchkey-access';

/** The link's token and the code of the newest sign-in mail to `email`. */
async function mailed(harness: Harness, email: string) {
  const mail = (await harness.mailbox()).find(
    (message) => message.to === email && message.text.includes('/signin/email'),
  );
  if (!mail) return null;
  return {
    token: /\/signin\/email\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!,
    code: /sign-in page: (\d{6})/.exec(mail.text)![1]!,
  };
}

/** Asks for a sign-in mail from the /signin page, as a browser would. */
async function askFromSignIn(harness: Harness, email: string, jar = new Jar()) {
  await visit(harness, jar, '/signin');
  const response = await postForm(harness, jar, '/signin/email/request', { email });
  return { jar, response };
}

async function userWithMail(harness: Harness, prefix: string) {
  const { identity, tokens } = await signedInUser(harness, prefix);
  const { jar } = await askFromSignIn(harness, identity.email);
  return { identity, tokens, jar, mail: (await mailed(harness, identity.email))! };
}

describe('asking for a sign-in mail from /signin', () => {
  it('offers "Email me a sign-in link" on /signin as a form without script', async () => {
    const html = await (await visit(createHarness(), new Jar(), '/signin')).text();
    expect(html).toContain('action="/signin/email/request"');
    expect(html).toContain('Email me a sign-in link');
  });

  it('answers the same "Check your mail" page for a known and an unknown address, with the code form', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'pesi');
    const unknown = uniqueIdentity('pesinobody').email;
    const known = await askFromSignIn(harness, identity.email);
    const other = await askFromSignIn(harness, unknown);
    expect([known.response.status, other.response.status]).toEqual([200, 200]);
    const knownHtml = await known.response.text();
    const otherHtml = await other.response.text();
    expect(knownHtml).toContain('Check your mail');
    expect(knownHtml).toContain('action="/signin/email"');
    expect(knownHtml).toContain(`name="email" value="${identity.email}"`);
    expect(otherHtml.replaceAll(unknown, 'ADDRESS').replace(/value="[^"]{20,}"/g, '')).toBe(
      knownHtml.replaceAll(identity.email, 'ADDRESS').replace(/value="[^"]{20,}"/g, ''),
    );
    expect(await mailed(harness, identity.email)).not.toBeNull();
    expect(await mailed(harness, unknown)).toBeNull();
  });

  it('shows an invalid address on the field', async () => {
    const harness = createHarness();
    const { response } = await askFromSignIn(harness, 'not-an-address');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('id="field-email-error"');
  });
});

describe('the mailed link page', () => {
  it('spends nothing on a GET: it shows a button, and the token still signs in after', async () => {
    const harness = createHarness();
    const { mail } = await userWithMail(harness, 'pesiget');
    const jar = new Jar();
    const shown = await visit(harness, jar, `/signin/email?token=${mail.token}`);
    expect(shown.status).toBe(200);
    const html = await shown.text();
    expect(html).toContain(`name="token" value="${mail.token}"`);
    expect(html).toContain('>Sign in</button>');
    await visit(harness, new Jar(), `/signin/email?token=${mail.token}`);
    const signedIn = await postForm(harness, jar, '/signin/email', { token: mail.token });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/account');
    expect(jar.cookies.get(ACCESS_COOKIE)).toBeTruthy();
  });

  it('signs the browser in with the session cookies and shows the account', async () => {
    const harness = createHarness();
    const { identity, mail } = await userWithMail(harness, 'pesipost');
    const jar = new Jar();
    await visit(harness, jar, `/signin/email?token=${mail.token}`);
    await postForm(harness, jar, '/signin/email', { token: mail.token });
    const account = await visit(harness, jar, '/account');
    expect(account.status).toBe(200);
    expect(await account.text()).toContain(identity.username);
  });

  it('shows the link-problem page for a used link, with a way to ask for a new one', async () => {
    const harness = createHarness();
    const { mail } = await userWithMail(harness, 'pesiused');
    const jar = new Jar();
    await visit(harness, jar, `/signin/email?token=${mail.token}`);
    expect((await postForm(harness, jar, '/signin/email', { token: mail.token })).status).toBe(303);
    const again = await postForm(harness, jar, '/signin/email', { token: mail.token });
    expect(again.status).toBe(400);
    expect(again.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await again.text();
    expect(html).toContain('This sign-in link cannot be used');
    expect(html).toContain('href="/signin/email/request"');
  });

  it('follows an allowed redirect_to carried from /signin through the code form', async () => {
    const harness = createHarness();
    const { identity } = await signedInUser(harness, 'pesiret');
    const jar = new Jar();
    await visit(harness, jar, '/signin?redirect_to=/account/sessions');
    const asked = await postForm(harness, jar, '/signin/email/request', {
      email: identity.email,
      redirect_to: '/account/sessions',
    });
    expect(await asked.text()).toContain('name="redirect_to" value="/account/sessions"');
    const { code } = (await mailed(harness, identity.email))!;
    const response = await postForm(harness, jar, '/signin/email', {
      email: identity.email,
      code,
      redirect_to: '/account/sessions',
    });
    expect(response.headers.get('location')).toBe('/account/sessions');
  });
});

describe('the code form', () => {
  it('signs in with the mailed code on the device that asked', async () => {
    const harness = createHarness();
    const { identity, jar, mail } = await userWithMail(harness, 'pesicode');
    const response = await postForm(harness, jar, '/signin/email', { email: identity.email, code: mail.code });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account');
    expect(jar.cookies.get(ACCESS_COOKIE)).toBeTruthy();
  });

  it('shows a wrong code as an error on the code field', async () => {
    const harness = createHarness();
    const { identity, jar, mail } = await userWithMail(harness, 'pesiwrong');
    const wrong = mail.code === '000000' ? '111111' : '000000';
    const response = await postForm(harness, jar, '/signin/email', { email: identity.email, code: wrong });
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('id="field-code-error"');
    expect(html).toContain('That code is not right');
    expect(html).toContain(`value="${identity.email}"`);
  });

  it('asks for the 6 digits before anything is checked', async () => {
    const harness = createHarness();
    const { identity, jar } = await userWithMail(harness, 'pesishape');
    const response = await postForm(harness, jar, '/signin/email', { email: identity.email, code: '12ab' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('The code is the 6 digits from the mail.');
  });
});

describe('what follows the proof', () => {
  it('shows the second step when the account has two-step sign-in on', async () => {
    const harness = createHarness();
    const { identity, tokens } = await signedInUser(harness, 'pesimfa');
    await turnOnTotp(harness, tokens, identity.password);
    const { jar } = await askFromSignIn(harness, identity.email);
    const { code } = (await mailed(harness, identity.email))!;
    const response = await postForm(harness, jar, '/signin/email', { email: identity.email, code });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('action="/signin/verify"');
    expect(html).toContain('name="mfaToken"');
    expect(jar.cookies.get(ACCESS_COOKIE)).toBeUndefined();
  });

  it('creates an account by email from /register/email and signs it in', async () => {
    const harness = createHarness();
    const identity = uniqueIdentity('pesinew');
    const jar = new Jar();
    expect(await (await visit(harness, jar, '/register')).text()).toContain('href="/register/email"');
    await visit(harness, jar, '/register/email');
    const asked = await postForm(harness, jar, '/signin/email/request', {
      createAccount: 'on',
      username: identity.username,
      email: identity.email,
    });
    expect(await asked.text()).toContain('Check your mail');
    const { token } = (await mailed(harness, identity.email))!;
    await visit(harness, jar, `/signin/email?token=${token}`);
    expect((await postForm(harness, jar, '/signin/email', { token })).status).toBe(303);
    expect(await (await visit(harness, jar, '/account')).text()).toContain(identity.username);
  });

  it('says to ask for a new mail when the username was taken meanwhile', async () => {
    const harness = createHarness();
    const { identity: taken } = await signedInUser(harness, 'pesitaken');
    const email = uniqueIdentity('pesiother').email;
    const jar = new Jar();
    await visit(harness, jar, '/register/email');
    await postForm(harness, jar, '/signin/email/request', { createAccount: 'on', username: taken.username, email });
    const { token } = (await mailed(harness, email))!;
    const response = await postForm(harness, jar, '/signin/email', { token });
    expect(response.status).toBe(409);
    const html = await response.text();
    expect(html).toContain('Ask for a new mail with another username.');
    expect(html).toContain('href="/register/email"');
  });
});

describe('with EMAIL_SIGN_IN=off', () => {
  it('hides the control on /signin and answers the pages with the not-found page', async () => {
    const harness = createHarness({ env: { EMAIL_SIGN_IN: 'off' } });
    const jar = new Jar();
    expect(await (await visit(harness, jar, '/signin')).text()).not.toContain('/signin/email/request');
    expect(await (await visit(harness, jar, '/register')).text()).not.toContain('/register/email');
    for (const path of ['/signin/email?token=abcdefghijklmnopqrstuvwxyz', '/signin/email/request', '/register/email']) {
      const response = await visit(harness, jar, path);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toContain('Page not found');
    }
    const posted = await postForm(harness, jar, '/signin/email/request', { email: 'a@example.com' });
    expect(posted.status).toBe(404);
    expect(posted.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
