// The route table the OpenAPI document is generated from. Request schemas are the very ones the
// handlers validate with (src/web/schemas.ts); response schemas are in response-schemas.ts.
// Adding a route to the API means adding one entry here: test/contract.test.ts fails for a served
// route without an entry, and for any status a flow answers that its entry does not document.
// After a change, `npm run openapi:generate` rewrites the served public/openapi.json.
import * as z from 'zod';
import type { ErrorCode } from '../core/errors';
import {
  acceptedSchema,
  adminUserDetailSchema,
  adminUserEnvelopeSchema,
  adminUserListSchema,
  healthSchema,
  readinessSchema,
  jwksSchema,
  passwordChangedSchema,
  passwordResetSchema,
  publicUserSchema,
  sessionListSchema,
  tokenResponseSchema,
  userEnvelopeSchema,
} from './response-schemas';
import {
  adminUsersQuery,
  emailBody,
  loginBody,
  refreshBody,
  registerBody,
  resetPasswordBody,
  tokenBody,
} from '../web/schemas';
import { mfaStatusSchema, recoveryCodesSchema, totpSetupSchema } from './mfa-response-schemas';
import { mfaVerifyBody, totpConfirmBody } from '../web/mfa-schemas';
import { changeEmailBody, changePasswordBody, passwordAndCodeBody, reauthenticationBody } from '../web/proof-schemas';
import {
  passkeyEnvelopeSchema,
  passkeyCreationOptionsSchema,
  passkeyListSchema,
  passkeyRequestOptionsSchema,
} from './passkey-response-schemas';
import {
  passkeyRegistrationBody,
  passkeyRenameBody,
  passkeySignInBody,
  passkeySignInOptionsBody,
} from '../web/passkey-schemas';

export interface ResponseDoc {
  description: string;
  /** A JSON body; omit for a response without one (204). */
  json?: z.ZodType;
  headers?: Record<string, string>;
}

export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono syntax: `/me/sessions/:id` is documented as `/me/sessions/{id}`. */
  path: string;
  /** Other paths answered by the same handlers. */
  aliases?: string[];
  tag: string;
  summary: string;
  description?: string;
  /** Requires `Authorization: Bearer <access token>`; documents the 401 too. */
  auth?: boolean;
  /** Requires `Authorization: Bearer <ADMIN_API_KEY>`; documents the 401, 404 and 429 too. */
  admin?: boolean;
  /** The zod schema of the query string, documented as query parameters. */
  query?: z.core.$ZodType;
  /** The zod schema the route's `jsonBody()` validates; documents 400/413/415 too. */
  body?: z.core.$ZodType;
  /** Success responses by status. */
  responses: Record<number, ResponseDoc>;
  /** Expected failures beyond those implied by auth and body, answered as problem+json. */
  problems?: ErrorCode[];
  /** Touches neither D1 nor KV, so a storage outage cannot make it answer 503 `unavailable`. */
  storageFree?: boolean;
}

export const routeDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/health',
    tag: 'Service',
    summary: 'Liveness check; touches no storage.',
    responses: { 200: { description: 'The worker is up.', json: healthSchema } },
    storageFree: true,
  },
  {
    method: 'get',
    path: '/health/ready',
    tag: 'Service',
    summary: 'Readiness check: one cheap read from D1 and one from KV, each bounded by a 1 s timeout.',
    responses: {
      200: { description: 'Both stores answered.', json: readinessSchema },
      503: { description: 'A store is down or slow; the body names which.', json: readinessSchema },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'Service',
    summary: 'This document.',
    storageFree: true,
    responses: { 200: { description: 'The OpenAPI 3.1 document.', json: z.looseObject({ openapi: z.string() }) } },
  },
  {
    method: 'post',
    path: '/auth/register',
    aliases: ['/user/register'],
    tag: 'Accounts',
    summary: 'Create an account and mail a verification link.',
    description:
      'With `EMAIL_VERIFICATION=required` (the default) the answer is `{ user }` and sign-in waits for the ' +
      'verified address. With `optional` the new account is signed in: the answer is the login’s tokens ' +
      'response, with the session cookies.',
    body: registerBody,
    responses: {
      201: {
        description: 'The account, not yet verified; or, in optional mode, its first session.',
        json: z.union([userEnvelopeSchema, tokenResponseSchema]),
      },
    },
    problems: ['conflict', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/verify-email',
    tag: 'Accounts',
    summary: 'Consume a verification token from the mail.',
    body: tokenBody,
    responses: { 200: { description: 'The verified account.', json: userEnvelopeSchema } },
    problems: ['invalid_token', 'token_expired', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/resend-verification',
    tag: 'Accounts',
    summary: 'Mail a new verification link.',
    description: 'Answers the same for unknown and already verified addresses, so it reveals no accounts.',
    body: emailBody,
    responses: { 202: { description: 'Accepted.', json: acceptedSchema } },
    problems: ['rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/login',
    aliases: ['/auth/signin', '/login'],
    tag: 'Sessions',
    summary: 'Sign in with a username or email and a password.',
    body: loginBody,
    responses: { 200: { description: 'A new session.', json: tokenResponseSchema } },
    description:
      'Give exactly one of `identifier`, `username` or `email`. Also sets the `__Host-latchkey-access` and ' +
      '`__Host-latchkey-refresh` cookies for browsers. After too many failures the account answers 429 ' +
      'for a back-off period, even to the right password.',
    problems: ['invalid_credentials', 'email_not_verified', 'mfa_required', 'account_disabled', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/refresh',
    tag: 'Sessions',
    summary: 'Trade a refresh token for a new access token and refresh token.',
    description:
      'Browsers may omit `refreshToken` and send the refresh cookie from an allowed origin. A rotated token ' +
      'presented again within the grace window gets its own fresh token (two tabs); after it, the whole ' +
      'session is revoked.',
    body: refreshBody,
    responses: { 200: { description: 'The rotated tokens.', json: tokenResponseSchema } },
    problems: ['invalid_token', 'forbidden', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/logout',
    aliases: ['/logout'],
    tag: 'Sessions',
    summary: 'End the session of the access token.',
    description:
      'The refresh token stops working at once. Services that verify access tokens against the JWKS alone ' +
      'keep accepting the access token until it expires; `GET /me` refuses it at once.',
    auth: true,
    responses: { 204: { description: 'Signed out.' } },
    problems: ['forbidden'],
  },
  {
    method: 'post',
    path: '/auth/forgot-password',
    tag: 'Passwords',
    summary: 'Mail a password reset link.',
    description: 'Answers the same for unknown addresses, so it reveals no accounts.',
    body: emailBody,
    responses: { 202: { description: 'Accepted.', json: acceptedSchema } },
    problems: ['rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/reset-password',
    tag: 'Passwords',
    summary: 'Set a new password with a reset token; signs out every session.',
    body: resetPasswordBody,
    responses: { 200: { description: 'The password is changed.', json: passwordResetSchema } },
    problems: ['invalid_token', 'token_expired', 'rate_limited'],
  },
  {
    method: 'post',
    path: '/auth/logout-all',
    tag: 'Sessions',
    summary: 'End every session of the user, this one included.',
    auth: true,
    responses: { 204: { description: 'Signed out everywhere.' } },
    problems: ['forbidden'],
  },
  {
    method: 'get',
    path: '/auth/sessions',
    tag: 'Sessions',
    summary: "The caller's live sessions.",
    auth: true,
    responses: { 200: { description: 'The sessions, most recently used first.', json: sessionListSchema } },
  },
  {
    method: 'delete',
    path: '/auth/sessions/:id',
    tag: 'Sessions',
    summary: 'Revoke one of the caller’s sessions.',
    auth: true,
    responses: { 204: { description: 'Revoked.' } },
    problems: ['not_found', 'forbidden'],
  },
  {
    method: 'post',
    path: '/auth/change-password',
    tag: 'Passwords',
    summary: 'Change the password; every other session is signed out and a notice is mailed.',
    auth: true,
    body: changePasswordBody,
    responses: { 200: { description: 'The password is changed.', json: passwordChangedSchema } },
    problems: ['invalid_credentials', 'conflict', 'forbidden', 'rate_limited', 'passkey_refused', 'validation_failed'],
  },
  {
    method: 'get',
    path: '/me',
    tag: 'Accounts',
    summary: 'The signed-in user; checks that the session is still live.',
    auth: true,
    responses: { 200: { description: 'The user.', json: publicUserSchema } },
  },
  {
    method: 'delete',
    path: '/me',
    tag: 'Accounts',
    summary: 'Delete the account, its sessions and its tokens; needs the current password.',
    auth: true,
    body: reauthenticationBody,
    responses: { 204: { description: 'Deleted.' } },
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
  // Two-step sign-in (src/http/routes/mfa.ts).
  {
    method: 'post',
    path: '/auth/mfa/verify',
    tag: 'Two-step sign-in',
    summary: 'The second step of a sign-in: the mfaToken of an `mfa_required` answer and a code.',
    description:
      '`code` is a current TOTP code or a recovery code. Each code works once; five wrong codes or five ' +
      'minutes spend the mfaToken, and wrong codes count toward the account lock-out like wrong passwords. ' +
      'Answers exactly what a login does, cookies included.',
    body: mfaVerifyBody,
    responses: { 200: { description: 'A new session.', json: tokenResponseSchema } },
    problems: ['invalid_code', 'invalid_token', 'rate_limited'],
  },
  {
    method: 'get',
    path: '/auth/mfa',
    tag: 'Two-step sign-in',
    summary: 'Whether TOTP is on, and how many recovery codes are left.',
    auth: true,
    responses: { 200: { description: 'The state of the second factor.', json: mfaStatusSchema } },
    problems: ['forbidden'],
  },
  {
    method: 'post',
    path: '/auth/mfa/totp/setup',
    tag: 'Two-step sign-in',
    summary: 'Start setting up an authenticator app; needs the password. Replaces a pending set-up.',
    auth: true,
    body: reauthenticationBody,
    responses: { 200: { description: 'The pending secret, not yet enabled.', json: totpSetupSchema } },
    problems: [
      'invalid_credentials',
      'conflict',
      'forbidden',
      'rate_limited',
      'unavailable',
      'second_factor_required',
      'invalid_code',
      'passkey_refused',
      'validation_failed',
    ],
  },
  {
    method: 'post',
    path: '/auth/mfa/totp/confirm',
    tag: 'Two-step sign-in',
    summary: 'Turn TOTP on with a current code of the pending secret; ends the other sessions.',
    auth: true,
    body: totpConfirmBody,
    responses: { 200: { description: 'The recovery codes, shown this once.', json: recoveryCodesSchema } },
    problems: ['invalid_code', 'conflict', 'forbidden', 'unavailable'],
  },
  {
    method: 'post',
    path: '/auth/mfa/recovery-codes',
    tag: 'Two-step sign-in',
    summary: 'Replace every recovery code; needs the password and a TOTP or recovery code.',
    auth: true,
    body: passwordAndCodeBody,
    responses: { 200: { description: 'The new recovery codes, shown this once.', json: recoveryCodesSchema } },
    problems: [
      'invalid_credentials',
      'invalid_code',
      'conflict',
      'forbidden',
      'rate_limited',
      'unavailable',
      'second_factor_required',
      'passkey_refused',
      'validation_failed',
    ],
  },
  {
    method: 'delete',
    path: '/auth/mfa/totp',
    tag: 'Two-step sign-in',
    summary: 'Turn TOTP off; needs the password and a TOTP or recovery code. Ends the other sessions.',
    auth: true,
    body: passwordAndCodeBody,
    responses: { 204: { description: 'Turned off; the recovery codes are gone too.' } },
    problems: [
      'invalid_credentials',
      'invalid_code',
      'conflict',
      'forbidden',
      'rate_limited',
      'unavailable',
      'second_factor_required',
      'passkey_refused',
      'validation_failed',
    ],
  },
  {
    method: 'post',
    path: '/auth/change-email',
    tag: 'Accounts',
    summary: 'Ask to change the email; mails a confirmation link to the new address.',
    description:
      'Needs the current password. Answers 202 whatever happens next (a taken address gets no link), mails ' +
      'a link to the new address (`/confirm-email-change?token=`) and a notice to the current one.',
    auth: true,
    body: changeEmailBody,
    responses: { 202: { description: 'Accepted.', json: acceptedSchema } },
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
    path: '/auth/confirm-email-change',
    tag: 'Accounts',
    summary: 'Switch to the new email with the mailed token; every other session ends.',
    description:
      'The new address is verified (the link proves it). The old address is told. 409 when another account ' +
      'took the address meanwhile (nothing changes); of two confirmations at once, one succeeds.',
    body: tokenBody,
    responses: { 200: { description: 'The account with its new address.', json: userEnvelopeSchema } },
    problems: ['invalid_token', 'token_expired', 'conflict', 'rate_limited'],
  },
  {
    method: 'get',
    path: '/admin/users',
    tag: 'Admin',
    summary: 'Users whose username or email starts with `query`, newest first.',
    description: 'At most `limit` (1 to 100, default 50) per page; pass `nextCursor` back as `cursor`.',
    admin: true,
    query: adminUsersQuery,
    responses: { 200: { description: 'One page of users.', json: adminUserListSchema } },
    problems: ['validation_failed'],
  },
  {
    method: 'get',
    path: '/admin/users/:id',
    tag: 'Admin',
    summary: 'One user, with the session count and the sign-in factors set up.',
    admin: true,
    responses: { 200: { description: 'The user.', json: adminUserDetailSchema } },
  },
  {
    method: 'post',
    path: '/admin/users/:id/disable',
    tag: 'Admin',
    summary: 'Disable the user: every session ends and sign-in answers 403 `account_disabled`.',
    admin: true,
    responses: { 200: { description: 'The disabled user.', json: adminUserEnvelopeSchema } },
  },
  {
    method: 'post',
    path: '/admin/users/:id/enable',
    tag: 'Admin',
    summary: 'Enable a disabled user again.',
    admin: true,
    responses: { 200: { description: 'The enabled user.', json: adminUserEnvelopeSchema } },
  },
  {
    method: 'post',
    path: '/admin/users/:id/sessions/revoke',
    tag: 'Admin',
    summary: 'End every session of the user.',
    admin: true,
    responses: { 204: { description: 'Every session ended.' } },
  },
  {
    method: 'post',
    path: '/admin/users/:id/verify-email',
    tag: 'Admin',
    summary: 'Mark the user’s address verified (support cases).',
    admin: true,
    responses: { 200: { description: 'The user.', json: adminUserEnvelopeSchema } },
  },
  {
    method: 'delete',
    path: '/admin/users/:id',
    tag: 'Admin',
    summary: 'Delete the user as `DELETE /me` does.',
    admin: true,
    responses: { 204: { description: 'Deleted.' } },
  },
  // Passkeys (src/http/routes/passkeys.ts).
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
  {
    method: 'delete',
    path: '/admin/users/:id/mfa',
    tag: 'Admin',
    summary: 'Remove the user’s second factors (a notice is mailed).',
    admin: true,
    responses: { 204: { description: 'Removed.' } },
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    tag: 'Service',
    summary: 'The public keys that verify access tokens.',
    description: 'During a key rotation it lists the current key and the previous one.',
    responses: {
      200: {
        description: 'The key set.',
        json: jwksSchema,
        headers: { 'cache-control': 'How long verifiers may cache the key set.' },
      },
    },
    storageFree: true,
  },
];
