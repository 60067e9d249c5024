// The OpenID Provider's routes (src/http/routes/admin-oauth-clients.ts, connected-apps.ts,
// well-known.ts, oauth2.ts, src/pages/oauth2-*.tsx). The OAuth endpoints speak OAuth's form posts
// and error format (`{ error, error_description }`), not this API's problem documents; the browser
// ones answer redirects and pages. docs/openid-provider.md describes them in full.
import { clientChangesSchema, newClientSchema } from '../../web/oauth-client-schemas';
import {
  connectedAppsSchema,
  oauthClientCreatedSchema,
  oauthClientListSchema,
  oauthClientSchema,
  oauthClientSecretSchema,
  oauthErrorSchema,
  oauthTokenResponseSchema,
  openIdConfigurationSchema,
  userInfoSchema,
} from '../oauth-response-schemas';
import type { RouteDoc } from './route-doc';

export const openIdProviderRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/.well-known/openid-configuration',
    tag: 'OpenID Provider',
    summary: 'The OpenID Provider discovery document.',
    description:
      '`issuer` is APP_URL in production, the request origin in development. 404 without OIDC_RSA_PRIVATE_JWK.',
    responses: { 200: { description: 'The provider metadata.', json: openIdConfigurationSchema } },
    problems: ['not_found'],
    storageFree: true,
  },
  {
    method: 'post',
    path: '/admin/oauth/clients',
    tag: 'OpenID Provider',
    summary: 'Register a client (relying party).',
    description:
      'Redirect URIs are absolute, https (http only for localhost, *.localhost, 127.0.0.1 and [::1]), without ' +
      'fragments, and are compared exactly. A confidential client gets `clientSecret` once.',
    admin: true,
    body: newClientSchema,
    responses: { 201: { description: 'The client.', json: oauthClientCreatedSchema } },
  },
  {
    method: 'get',
    path: '/admin/oauth/clients',
    tag: 'OpenID Provider',
    summary: 'Every client, oldest first.',
    admin: true,
    responses: { 200: { description: 'The clients.', json: oauthClientListSchema } },
  },
  {
    method: 'get',
    path: '/admin/oauth/clients/:id',
    tag: 'OpenID Provider',
    summary: 'One client (never its secret).',
    admin: true,
    responses: { 200: { description: 'The client.', json: oauthClientSchema } },
    problems: ['not_found'],
  },
  {
    method: 'patch',
    path: '/admin/oauth/clients/:id',
    tag: 'OpenID Provider',
    summary: 'Change a client’s name, URIs, first-party flag or ID token algorithm.',
    admin: true,
    body: clientChangesSchema,
    responses: { 200: { description: 'The changed client.', json: oauthClientSchema } },
    problems: ['not_found'],
  },
  {
    method: 'delete',
    path: '/admin/oauth/clients/:id',
    tag: 'OpenID Provider',
    summary: 'Delete a client with its codes, grants, refresh tokens and consents.',
    admin: true,
    responses: { 204: { description: 'Deleted.' } },
    problems: ['not_found'],
  },
  {
    method: 'post',
    path: '/admin/oauth/clients/:id/secret',
    tag: 'OpenID Provider',
    summary: 'Rotate a confidential client’s secret; the old one stops at once.',
    admin: true,
    responses: { 200: { description: 'The new secret.', json: oauthClientSecretSchema } },
    problems: ['not_found', 'conflict'],
  },
  {
    method: 'get',
    path: '/auth/connected-apps',
    tag: 'OpenID Provider',
    summary: 'The apps you let sign you in through Latchkey, with the scopes you allowed.',
    auth: true,
    responses: { 200: { description: 'The apps, oldest first.', json: connectedAppsSchema } },
  },
  {
    method: 'delete',
    path: '/auth/connected-apps/:id',
    tag: 'OpenID Provider',
    summary: 'Disconnect an app: its refresh and access tokens for you stop at once.',
    auth: true,
    responses: { 204: { description: 'Disconnected.' } },
    problems: ['not_found'],
  },
  ...(['get', 'post'] as const).map((method): RouteDoc => ({
    method,
    path: '/oauth2/authorize',
    tag: 'OpenID Provider',
    summary: 'The authorization endpoint (browsers): `response_type=code` with PKCE S256.',
    description:
      'An unknown client or unregistered `redirect_uri` gets a 400 page; other errors go back to the client ' +
      'with `error`, `state` and `iss`. A signed-out browser is sent to `/signin` and comes back. A POST ' +
      'becomes the same GET (303).',
    responses: {
      200: { description: 'The consent page, or the page handing the browser back to the client.' },
      302: { description: 'Back to the client with `code`, `state` and `iss`, or with an error.' },
      303: { description: 'To `/signin` with the request as `redirect_to`; for a POST, to the same GET.' },
      400: { description: 'A page: the client or its redirect URI is not registered.' },
    },
    problems: ['not_found'],
  })),
  {
    method: 'post',
    path: '/oauth2/consent',
    tag: 'OpenID Provider',
    summary: "The consent page's Allow and Deny (a browser form under the CSRF checks).",
    responses: {
      200: { description: 'The page handing the browser back to the client.' },
      400: { description: 'A page: the request is not valid, or the person is signed out.' },
      403: { description: 'A page: the form failed the CSRF checks.' },
    },
    problems: ['not_found'],
  },
  {
    method: 'post',
    path: '/oauth2/disconnect',
    tag: 'OpenID Provider',
    summary: "The Disconnect button of /account's Connected apps card (a browser form).",
    responses: {
      303: { description: 'Back to /account, or to /signin.' },
      403: { description: 'A page: the form failed the CSRF checks.' },
    },
  },
  {
    method: 'post',
    path: '/oauth2/token',
    tag: 'OpenID Provider',
    summary: 'The token endpoint: `authorization_code` and `refresh_token` grants (a form body).',
    description:
      'Client authentication `client_secret_basic`, `client_secret_post`, or `none` for a public client. ' +
      'A code works once; a second use revokes what the first issued.',
    responses: {
      200: { description: 'The tokens.', json: oauthTokenResponseSchema },
      400: { description: '`invalid_request`, `invalid_grant` or `unsupported_grant_type`.', json: oauthErrorSchema },
      401: { description: '`invalid_client`.', json: oauthErrorSchema },
    },
    problems: ['not_found'],
  },
  ...(['get', 'post'] as const).map((method): RouteDoc => ({
    method,
    path: '/oauth2/userinfo',
    tag: 'OpenID Provider',
    summary: 'UserInfo: the claims the access token’s scopes allow.',
    description: 'The access token in `Authorization: Bearer`, or (POST) `access_token` in a form body.',
    responses: {
      200: { description: 'The claims.', json: userInfoSchema },
      401: { description: '`invalid_token` or `invalid_request`, with a Bearer challenge.', json: oauthErrorSchema },
    },
    problems: ['not_found'],
  })),
  {
    method: 'post',
    path: '/oauth2/revoke',
    tag: 'OpenID Provider',
    summary: 'RFC 7009 revocation of a refresh or access token (its whole grant ends).',
    responses: {
      200: { description: 'Revoked, or nothing to revoke.' },
      400: { description: '`invalid_request`.', json: oauthErrorSchema },
      401: { description: '`invalid_client`.', json: oauthErrorSchema },
    },
    problems: ['not_found'],
  },
  ...(['get', 'post'] as const).map((method): RouteDoc => ({
    method,
    path: '/oauth2/logout',
    tag: 'OpenID Provider',
    summary: 'RP-initiated logout: `id_token_hint`, `post_logout_redirect_uri`, `state`.',
    responses: {
      200: { description: 'A page: signed out, or a Sign out button when there is no valid hint.' },
      302: { description: 'To the registered `post_logout_redirect_uri`, with `state`.' },
      303: { description: 'A POST becomes the same GET.' },
      400: { description: 'A page: an invalid hint or an unregistered redirect URI.' },
    },
    problems: ['not_found'],
  })),
];
