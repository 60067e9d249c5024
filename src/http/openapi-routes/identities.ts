// The outside identities routes (src/http/routes/identities.ts). The browser flow itself
// (GET /auth/oauth/{provider} and its callback) answers pages and is described in the README.
import { identityListSchema, linkStartSchema } from '../identity-response-schemas';
import type { RouteDoc } from './route-doc';

export const identitiesRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/auth/identities',
    tag: 'Outside providers',
    summary: "The account's linked outside identities, and the providers this server offers.",
    auth: true,
    responses: { 200: { description: 'The identities, oldest first.', json: identityListSchema } },
  },
  {
    method: 'post',
    path: '/auth/identities/:id',
    tag: 'Outside providers',
    summary: 'Start linking an identity at the provider `id` (an id of OAUTH_PROVIDERS) to the signed-in account.',
    description:
      "Answers the provider's URL and sets a short-lived `__Host-latchkey-oauth` cookie: open the URL in the same " +
      'browser; the callback links the identity and redirects to `/account`. An identity linked to another account ' +
      'is refused there with a page. 404 for a provider that is not configured.',
    auth: true,
    responses: { 200: { description: "The provider's authorization URL.", json: linkStartSchema } },
    problems: ['not_found', 'rate_limited'],
  },
  {
    method: 'delete',
    path: '/auth/identities/:id',
    tag: 'Outside providers',
    summary: 'Unlink one of your identities, by its `id`.',
    description: 'Refused with 409 `conflict` when it is the last way in: no password, no passkey, no other identity.',
    auth: true,
    responses: { 204: { description: 'Unlinked.' } },
    problems: ['not_found', 'conflict'],
  },
];
