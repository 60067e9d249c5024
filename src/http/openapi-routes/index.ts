// The route table the OpenAPI document is generated from, one file per capability (the same names
// as src/core and src/http/routes). Request schemas are the very ones the handlers validate with
// (src/web/*-schemas.ts); response schemas are in ../response-schemas.ts. Adding a route to the API
// means adding one entry to its capability's file: test/contract.test.ts fails for a served route
// without an entry, and for any status a flow answers that its entry does not document. After a
// change, `npm run openapi:generate` rewrites the served public/openapi.json.
import { serviceRouteDocs } from './service';
import { accountsRouteDocs } from './accounts';
import { sessionsRouteDocs } from './sessions';
import { mfaRouteDocs } from './mfa';
import { passkeysRouteDocs } from './passkeys';
import { adminRouteDocs } from './admin';
import { emailSignInRouteDocs } from './email-sign-in';
import { identitiesRouteDocs } from './identities';
import { eventsRouteDocs } from './events';
import { openIdProviderRouteDocs } from './openid-provider';
import type { RouteDoc } from './route-doc';

export type { ResponseDoc, RouteDoc } from './route-doc';

export const routeDocs: RouteDoc[] = [
  ...serviceRouteDocs,
  ...accountsRouteDocs,
  ...sessionsRouteDocs,
  ...emailSignInRouteDocs,
  ...identitiesRouteDocs,
  ...mfaRouteDocs,
  ...passkeysRouteDocs,
  ...adminRouteDocs,
  ...openIdProviderRouteDocs,
  ...eventsRouteDocs,
];
