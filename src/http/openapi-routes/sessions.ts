// The session routes: sign in, refresh, sign out, and a user's view of their sessions.
import { sessionListSchema, tokenResponseSchema } from '../response-schemas';
import { loginBody, refreshBody } from '../../web/schemas';
import type { RouteDoc } from './route-doc';

export const sessionsRouteDocs: RouteDoc[] = [
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
];
