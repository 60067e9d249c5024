// The two-step sign-in routes (src/http/routes/mfa.ts).
import { tokenResponseSchema } from '../response-schemas';
import { mfaStatusSchema, recoveryCodesSchema, totpSetupSchema } from '../mfa-response-schemas';
import { mfaVerifyBody, totpConfirmBody } from '../../web/mfa-schemas';
import { passwordAndCodeBody, reauthenticationBody } from '../../web/proof-schemas';
import type { RouteDoc } from './route-doc';

export const mfaRouteDocs: RouteDoc[] = [
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
];
