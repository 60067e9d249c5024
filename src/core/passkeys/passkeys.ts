// Adding, listing, renaming and removing a signed-in user's passkeys. Adding or removing one is a
// change of sign-in factors, so it needs the password again (ASVS 7.5.1), and a code when TOTP is
// on, and mails a notice; adding one needs a verified address. The
// challenge is bound to the user it was issued to and used by one conditional delete.
import {
  type ConfirmIdentityDeps,
  type IdentityProof,
  assertEmailVerifiedForFactors,
  confirmIdentity,
} from '../sessions/reauthentication';
import { AuthError } from '../kit/errors';
import type { MailMessage } from '../mail/mail';
import { type MailDeliveryDeps, sendAccountMail } from '../mail/mail-delivery';
import { issueChallenge, passkeyRefused } from './passkey-assertion';
import type { Passkey } from './passkey-store';
import { generateToken } from '../kit/random-token';
import type { AccountServices } from '../services';
import type { Authenticated } from '../sessions/session-flows';
import { buildCreationOptions, generateUserHandle } from './webauthn/options';
import { verifyRegistration } from './webauthn/registration';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from './webauthn/types';
import { newEvent } from '../events/catalogue';
import { type EventServices, publishEvent } from '../events/dispatch';

export type PasskeyDeps = Pick<AccountServices, 'passkeys' | 'relyingParty' | 'clock' | 'log'>;
export type PasskeyChangeDeps = PasskeyDeps & ConfirmIdentityDeps & MailDeliveryDeps & EventServices;

/** The password (with TOTP on, and a code) or a passkey (reauthentication.ts). */
export type PasskeyChangeProof = IdentityProof;

/** A passkey as its owner sees it: no key material, no credential id. */
export interface PasskeySummary {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export const DEFAULT_PASSKEY_NAME = 'Passkey';

export function summarizePasskey(passkey: Passkey): PasskeySummary {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: new Date(passkey.createdAt).toISOString(),
    lastUsedAt: passkey.lastUsedAt === null ? null : new Date(passkey.lastUsedAt).toISOString(),
  };
}

export async function startPasskeyRegistration(
  services: PasskeyChangeDeps,
  auth: Authenticated,
  proof: PasskeyChangeProof,
): Promise<{ challengeId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
  assertEmailVerifiedForFactors(auth);
  // With TOTP on, the password alone must not add a passkey: a passkey sign-in asks no code, so
  // the password would become the only factor.
  await confirmIdentity(services, auth, proof);
  const { user } = auth;
  const handle = await services.passkeys.ensureUserHandle(user.id, generateUserHandle());
  const existing = await services.passkeys.listForUser(user.id);
  const { challengeId, challenge } = await issueChallenge(services, 'registration', {
    userId: user.id,
    userHandle: handle,
  });
  const options = buildCreationOptions({
    rp: { id: services.relyingParty.id, name: services.relyingParty.name },
    user: { handle, name: user.email, displayName: user.displayName ?? user.username },
    challenge,
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: passkey.transports })),
  });
  return { challengeId, options };
}

export async function finishPasskeyRegistration(
  services: PasskeyChangeDeps,
  auth: Authenticated,
  input: { challengeId: string; credential: RegistrationResponseJSON; name?: string | undefined },
): Promise<PasskeySummary> {
  assertEmailVerifiedForFactors(auth);
  const userId = auth.user.id;
  const now = services.clock.now();
  // Taken before verifying: a response is checked against a challenge no other request can use.
  const issued = await services.passkeys.takeChallenge(input.challengeId, 'registration', now, userId);
  if (!issued?.userHandle) throw passkeyRefused(services, 'challenge_invalid', { userId, ceremony: 'registration' });
  const result = await verifyRegistration(input.credential, {
    challenge: issued.challenge,
    origins: services.relyingParty.origins,
    rpId: services.relyingParty.id,
  });
  if (!result.ok) throw passkeyRefused(services, result.reason, { userId, ceremony: 'registration' });
  const { passkey: verified } = result;
  const passkey: Passkey = {
    id: generateToken(12),
    credentialId: verified.id,
    userId,
    userHandle: issued.userHandle,
    publicKey: verified.publicKey,
    algorithm: verified.algorithm,
    signCount: verified.signCount,
    transports: verified.transports,
    aaguid: verified.aaguid,
    backupEligible: verified.backupEligible,
    backedUp: verified.backedUp,
    name: input.name ?? DEFAULT_PASSKEY_NAME,
    createdAt: now,
    lastUsedAt: null,
  };
  const event = newEvent('passkey.added', auth.user, now, { passkeyId: passkey.id, name: passkey.name });
  if (!(await services.passkeys.add(passkey, event))) {
    throw passkeyRefused(services, 'credential_already_registered', { userId, ceremony: 'registration' });
  }
  publishEvent(services, event);
  services.log({ event: 'passkey.added', userId, passkeyId: passkey.id, algorithm: passkey.algorithm });
  sendPasskeyNotice(services, auth, `A passkey ("${passkey.name}") was added to`);
  return summarizePasskey(passkey);
}

export async function listPasskeys(services: Pick<PasskeyDeps, 'passkeys'>, auth: Authenticated) {
  return (await services.passkeys.listForUser(auth.user.id)).map(summarizePasskey);
}

export async function renamePasskey(
  services: Pick<PasskeyDeps, 'passkeys'>,
  auth: Authenticated,
  id: string,
  name: string,
): Promise<PasskeySummary> {
  const renamed = await services.passkeys.rename(auth.user.id, id, name);
  if (!renamed) throw noSuchPasskey();
  return summarizePasskey(renamed);
}

export async function removePasskey(
  services: PasskeyChangeDeps,
  auth: Authenticated,
  id: string,
  proof: PasskeyChangeProof,
): Promise<void> {
  await confirmIdentity(services, auth, proof);
  const event = newEvent('passkey.removed', auth.user, services.clock.now(), { passkeyId: id });
  const removed = await services.passkeys.remove(auth.user.id, id, event);
  if (!removed) throw noSuchPasskey();
  publishEvent(services, event);
  services.log({ event: 'passkey.removed', userId: auth.user.id, passkeyId: id });
  sendPasskeyNotice(services, auth, `A passkey ("${removed.name}") was removed from`);
}

function noSuchPasskey() {
  return new AuthError('not_found', 'You have no passkey with that id.');
}

function sendPasskeyNotice(services: MailDeliveryDeps, auth: Authenticated, change: string) {
  const { appName } = services.settings.mail;
  const text =
    `Hello ${auth.user.username}, ${change} your ${appName} account. ` +
    'If this was not you, change your password now and remove the passkeys you do not know.';
  const message: MailMessage = {
    to: auth.user.email,
    subject: `The passkeys of your ${appName} account changed`,
    text: `${text}\n`,
    html: `<p>${text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)}</p>`,
  };
  sendAccountMail(services, 'passkey_changed', { userId: auth.user.id }, async () => message, { quota: false });
}
