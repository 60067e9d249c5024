// Passkey ceremonies through the worker, played by the software authenticator.
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '../../src/core/passkeys/webauthn/types';
import type { Harness } from './harness';
import { SoftwareAuthenticator, type SoftwareAuthenticatorOptions, type Tampering } from './software-authenticator';

/** The page origin and RP ID the test worker expects (APP_URL in vitest.config.ts). */
export const testOrigin = 'https://app.example';

export function testAuthenticator(options: Partial<SoftwareAuthenticatorOptions> = {}) {
  return new SoftwareAuthenticator({ origin: testOrigin, ...options });
}

export async function registrationOptions(harness: Harness, token: string, password: string) {
  const response = await harness.request('/auth/passkeys/registration/options', {
    method: 'POST',
    token,
    json: { password },
  });
  if (response.status !== 200) throw new Error(`registration options answered ${response.status}`);
  return (await response.json()) as { challengeId: string; options: PublicKeyCredentialCreationOptionsJSON };
}

/** Asks for options, lets the authenticator answer them (tampered as asked) and posts the answer. */
export async function addPasskey(
  harness: Harness,
  authenticator: SoftwareAuthenticator,
  login: { token: string; password: string },
  tampering: Tampering = {},
  name?: string,
) {
  const { challengeId, options } = await registrationOptions(harness, login.token, login.password);
  const credential = await authenticator.register(options, tampering);
  return harness.request('/auth/passkeys/registration/verify', {
    method: 'POST',
    token: login.token,
    json: { challengeId, credential, ...(name === undefined ? {} : { name }) },
  });
}

export async function signInOptions(harness: Harness) {
  const response = await harness.request('/auth/passkeys/authentication/options', { method: 'POST', json: {} });
  if (response.status !== 200) throw new Error(`sign-in options answered ${response.status}`);
  return (await response.json()) as { challengeId: string; options: PublicKeyCredentialRequestOptionsJSON };
}

export async function signInWithPasskey(
  harness: Harness,
  authenticator: SoftwareAuthenticator,
  tampering: Tampering = {},
) {
  const { challengeId, options } = await signInOptions(harness);
  const credential = await authenticator.authenticate(options, tampering);
  return harness.request('/auth/passkeys/authentication/verify', { method: 'POST', json: { challengeId, credential } });
}
