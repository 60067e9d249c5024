// The account routes: register, verify the email, reset and change the password, change the email, /me.
import * as z from 'zod';
import {
  acceptedSchema,
  passwordChangedSchema,
  passwordResetSchema,
  publicUserSchema,
  tokenResponseSchema,
  userEnvelopeSchema,
} from '../response-schemas';
import { emailBody, registerBody, resetPasswordBody, tokenBody } from '../../web/schemas';
import { changeEmailBody, changePasswordBody, reauthenticationBody } from '../../web/proof-schemas';
import type { RouteDoc } from './route-doc';

export const accountsRouteDocs: RouteDoc[] = [
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
];
