// The passkey routes (src/http/routes/passkeys.ts).
import { tokenResponseSchema } from '../response-schemas';
import { reauthenticationBody } from '../../web/proof-schemas';
import {
  passkeyEnvelopeSchema,
  passkeyCreationOptionsSchema,
  passkeyListSchema,
  passkeyRequestOptionsSchema,
} from '../passkey-response-schemas';
import {
  passkeyRegistrationBody,
  passkeyRenameBody,
  passkeySignInBody,
  passkeySignInOptionsBody,
} from '../../web/passkey-schemas';
import type { RouteDoc } from './route-doc';

export const passkeysRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/auth/passkeys/registration/options',
    tag: 'Passkeys',
    summary: 'Start adding a passkey: confirms the password and answers WebAuthn creation options.',
    auth: true,
    body: reauthenticationBody,
    responses: {
      200: { description: 'The challenge id and the creation options.', json: passkeyCreationOptionsSchema },
    },
    problems: [
      'invalid_credentials',
      'forbidden',
      'rate_limited',
      'second_factor_required',
      'invalid_code',
      'passkey_refused',
      'validation_failed',
    ],
  },
  {
    method: 'post',
    path: '/auth/passkeys/registration/verify',
    tag: 'Passkeys',
    summary: "Finish adding a passkey with the browser's RegistrationResponseJSON; a notice is mailed.",
    description:
      'Refusals are `passkey_refused` problems whose `errors[0].message` names the failed check: ' +
      '`challenge_invalid`, `origin_not_allowed`, `rp_id_mismatch`, `user_not_verified`, `credential_already_registered`, ...',
    auth: true,
    body: passkeyRegistrationBody,
    responses: { 201: { description: 'The new passkey.', json: passkeyEnvelopeSchema } },
    problems: ['passkey_refused', 'forbidden', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/passkeys/reauthentication/options',
    tag: 'Passkeys',
    summary: "Confirm the signed-in user with a passkey: request options listing the user's own passkeys.",
    description:
      'Answer them with `navigator.credentials.get()` and send `{ passkey: { challengeId, credential } }` instead of ' +
      'the password (and code) to a change that re-authenticates: a passkey with user verification is two factors. ' +
      'This is how an account without a password confirms a change or sets a password.',
    auth: true,
    body: passkeySignInOptionsBody,
    responses: { 200: { description: 'The challenge id and the request options.', json: passkeyRequestOptionsSchema } },
    problems: ['not_found', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/passkeys/authentication/options',
    tag: 'Passkeys',
    summary: 'Start a usernameless passkey sign-in: WebAuthn request options.',
    body: passkeySignInOptionsBody,
    responses: { 200: { description: 'The challenge id and the request options.', json: passkeyRequestOptionsSchema } },
    problems: ['rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/passkeys/authentication/verify',
    tag: 'Passkeys',
    summary: "Sign in with the browser's AuthenticationResponseJSON; answers like the login, with no second factor.",
    description:
      'Sets the session cookies like `/auth/login`. A passkey not registered here is `invalid_credentials`; a failed ' +
      'WebAuthn check is `passkey_refused` (a signature counter that went back is also logged as a possible clone).',
    body: passkeySignInBody,
    responses: { 200: { description: 'Signed in.', json: tokenResponseSchema } },
    problems: ['passkey_refused', 'invalid_credentials', 'email_not_verified', 'rate_limited'],
  },
  {
    method: 'get',
    path: '/auth/passkeys',
    tag: 'Passkeys',
    summary: "The caller's passkeys.",
    auth: true,
    responses: { 200: { description: 'The passkeys, oldest first.', json: passkeyListSchema } },
  },
  {
    method: 'patch',
    path: '/auth/passkeys/:id',
    tag: 'Passkeys',
    summary: "Rename one of the caller's passkeys.",
    auth: true,
    body: passkeyRenameBody,
    responses: { 200: { description: 'The renamed passkey.', json: passkeyEnvelopeSchema } },
    problems: ['not_found', 'forbidden'],
  },
  {
    method: 'delete',
    path: '/auth/passkeys/:id',
    tag: 'Passkeys',
    summary: "Remove one of the caller's passkeys; needs the password, and a notice is mailed.",
    auth: true,
    body: reauthenticationBody,
    responses: { 204: { description: 'Removed.' } },
    problems: [
      'invalid_credentials',
      'not_found',
      'forbidden',
      'rate_limited',
      'second_factor_required',
      'invalid_code',
      'passkey_refused',
      'validation_failed',
    ],
  },
];
