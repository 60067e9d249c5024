// The OpenID Provider's JSON routes (src/http/routes/admin-oauth-clients.ts, connected-apps.ts,
// well-known.ts). The OAuth endpoints themselves (/oauth2/authorize, token, userinfo, revoke,
// logout) speak OAuth's form posts and error format, not this API's: discovery describes them,
// and docs/openid-provider.md.
import { clientChangesSchema, newClientSchema } from '../../web/oauth-client-schemas';
import {
  connectedAppsSchema,
  oauthClientCreatedSchema,
  oauthClientListSchema,
  oauthClientSchema,
  oauthClientSecretSchema,
  openIdConfigurationSchema,
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
];
