// The sign-in by email routes (src/http/routes/email-sign-in.ts).
import { acceptedSchema, tokenResponseSchema } from '../response-schemas';
import { emailSignInBody, emailSignInVerifyBody } from '../../web/email-sign-in-schemas';
import type { RouteDoc } from './route-doc';

export const emailSignInRouteDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/auth/email-sign-in',
    tag: 'Sign-in by email',
    summary: 'Mail a sign-in link and a 6-digit code to an address; the same answer whether or not it has an account.',
    description:
      'An unknown address gets no mail, unless `createAccount` is true (with a `username`) and `EMAIL_SIGN_UP` is on: ' +
      'then the first verify creates a passwordless account. A new mail replaces the previous one. Both the link and ' +
      'the code work once and expire after `EMAIL_TOKEN_TTL_SECONDS`. 404 when `EMAIL_SIGN_IN` is off.',
    body: emailSignInBody,
    responses: { 202: { description: 'Accepted, whatever happens next.', json: acceptedSchema } },
    problems: ['rate_limited', 'not_found'],
  },
  {
    method: 'post',
    path: '/auth/email-sign-in/verify',
    tag: 'Sign-in by email',
    summary: "Sign in with the mailed link's `token`, or the `email` and the mailed `code`; answers like the login.",
    description:
      'Sets the session cookies like `/auth/login`, and marks the address verified. With two-step sign-in on it ' +
      "answers 403 `mfa_required` with an mfaToken. Five wrong codes spend the mail's code. A taken username of an " +
      'account to create is 409 `conflict`: ask for a new mail with another one.',
    body: emailSignInVerifyBody,
    responses: { 200: { description: 'A new session.', json: tokenResponseSchema } },
    problems: [
      'invalid_token',
      'invalid_code',
      'mfa_required',
      'account_disabled',
      'conflict',
      'rate_limited',
      'not_found',
    ],
  },
];
