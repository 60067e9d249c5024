// Where the pages offer passkeys: only where the browser can use them, so nobody at an IP address
// or a host outside the RP ID meets the browser's own error. The browser side is in e2e/passkeys.
import { describe, expect, it } from 'vitest';
import { passkeysWorkAt } from '../src/pages/passkeys-script';
import { createHarness } from './support/harness';
import { Jar, postForm, visit } from './support/page-browser';

describe('passkeysWorkAt', () => {
  it('offers passkeys at the RP ID and at hosts under it', () => {
    expect(passkeysWorkAt('localhost', 'localhost')).toBe(true);
    expect(passkeysWorkAt('app.example', 'app.example')).toBe(true);
    expect(passkeysWorkAt('login.app.example', 'app.example')).toBe(true);
    expect(passkeysWorkAt('App.Example', 'app.example')).toBe(true);
  });

  it('refuses another host, even one that ends with the RP ID as text', () => {
    expect(passkeysWorkAt('localhost', 'app.example')).toBe(false);
    expect(passkeysWorkAt('evilapp.example', 'app.example')).toBe(false);
    expect(passkeysWorkAt('app.example.evil.test', 'app.example')).toBe(false);
  });

  it('refuses IP addresses, which are never RP IDs', () => {
    expect(passkeysWorkAt('127.0.0.1', 'localhost')).toBe(false);
    expect(passkeysWorkAt('[::1]', 'localhost')).toBe(false);
    expect(passkeysWorkAt('192.168.1.20')).toBe(false);
  });

  it('without a known RP ID, refuses only IP addresses', () => {
    expect(passkeysWorkAt('app.example')).toBe(true);
    expect(passkeysWorkAt('10.0.0.1')).toBe(false);
  });
});

describe('the passkey control of /signin', () => {
  it('carries the RP ID (APP_URL host by default), hidden until the script checks it', async () => {
    const page = await (await visit(createHarness(), new Jar(), '/signin')).text();
    expect(page).toMatch(/<div data-passkey-signin[^>]* data-rp-id="app\.example"[^>]* hidden/);
  });

  it('carries WEBAUTHN_RP_ID when it is set, also on a refused sign-in', async () => {
    const harness = createHarness({ env: { WEBAUTHN_RP_ID: 'example' } });
    const jar = new Jar();
    await visit(harness, jar, '/signin');
    const refused = await postForm(harness, jar, '/signin', { identifier: 'nobody', password: 'not the password' });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toMatch(/<div data-passkey-signin[^>]* data-rp-id="example"/);
  });

  it('runs the same host check in the browser as here', async () => {
    const script = await (await createHarness().request('/assets/passkeys.js')).text();
    expect(script).toContain(`const passkeysWorkAt = ${passkeysWorkAt.toString()};`);
    expect(script).toContain('passkeysWorkAt(location.hostname, element.dataset.rpId)');
  });
});
