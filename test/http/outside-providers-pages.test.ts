// The "Connected accounts" card of /account: connecting a provider from the page (a checked form,
// then a link to the provider), listing it, and disconnecting it, refused while it is the last way in.
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/config';
import { createHarness } from '../support/harness';
import { createFakeIdentityProvider } from '../support/fake-identity-provider';
import { Jar, browserSignedIn, postForm, visit } from '../support/page-browser';

describe('the Connected accounts card', () => {
  it('connects a provider from /account, lists it, and disconnects it', async () => {
    const idp = await createFakeIdentityProvider({ issuer: 'https://pages-idp.test' });
    const harness = createHarness({ env: idp.env('corp') as Partial<Env>, fetch: (request) => idp.fetch(request) });
    const { jar } = await browserSignedIn(harness, { prefix: 'card' });
    const account = await (await visit(harness, jar, '/account')).text();
    expect(account).toContain('Connected accounts');
    expect(account).toContain('Connect Corp');

    const step = await postForm(harness, jar, '/account/identities/link', { provider: 'corp' });
    expect(step.status).toBe(200);
    const url = /href="([^"]+)"[^>]*data-testid="continue-to-provider"/.exec(await step.text())?.[1];
    expect(url?.startsWith('https://pages-idp.test/authorize?')).toBe(true);
    const callback = await visit(
      harness,
      jar,
      await idp.approve(url!.replace(/&amp;/g, '&'), {
        sub: 'card-sub',
        email: 'card@idp.example',
        email_verified: true,
      }),
    );
    expect(callback.status).toBe(303);
    expect(callback.headers.get('location')).toBe('/account?notice=identity-linked');
    const linked = await (await visit(harness, jar, '/account?notice=identity-linked')).text();
    expect(linked).toContain('The account has been connected');
    expect(linked).toContain('card@idp.example');
    const identity = /name="identity" value="([^"]+)"/.exec(linked)![1]!;

    const removed = await postForm(harness, jar, '/account/identities/remove', { identity });
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/account?notice=identity-removed');
  });

  it('refuses to disconnect the last way in with the account page at 409', async () => {
    const idp = await createFakeIdentityProvider({ issuer: 'https://pages-idp2.test' });
    const harness = createHarness({ env: idp.env('corp') as Partial<Env>, fetch: (request) => idp.fetch(request) });
    const jar = new Jar();
    const start = await visit(harness, jar, '/auth/oauth/corp');
    const claims = { sub: 'only-way', email: 'only-way@idp.example', email_verified: true };
    expect((await visit(harness, jar, await idp.approve(start.headers.get('location')!, claims))).status).toBe(303);
    const page = await (await visit(harness, jar, '/account')).text();
    const identity = /name="identity" value="([^"]+)"/.exec(page)![1]!;
    const refused = await postForm(harness, jar, '/account/identities/remove', { identity });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('This is the last way into the account');
  });
});
