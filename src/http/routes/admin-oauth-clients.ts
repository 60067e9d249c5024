// The admin API's relying parties: register, list, read, change, delete a client and rotate its
// secret. Mounted under /admin after adminRoutes, whose requireAdmin (key, rate limit, 404 while
// ADMIN_API_KEY is unset) covers every /admin/* path: added here too, it counted each request
// twice against RATE_LIMIT_ADMIN. A client secret appears once, in the answer that made it; only
// its digest is stored.
import { Hono } from 'hono';
import * as clients from '../../core/oauth-server/clients';
import type { AppEnv } from '../../web/context';
import { clientChangesSchema, clientIdParam, newClientSchema } from '../../web/oauth-client-schemas';
import { jsonBody, validParams } from '../json-body';

export const adminOAuthClientRoutes = new Hono<AppEnv>()
  .post('/', jsonBody(newClientSchema), async (c) => {
    const { client, clientSecret } = await clients.registerClient(c.var.services, c.req.valid('json'));
    return c.json(clientSecret ? { ...client, clientSecret } : client, 201);
  })
  .get('/', async (c) => c.json({ clients: await clients.listClients(c.var.services) }))
  .get('/:id', validParams(clientIdParam), async (c) =>
    c.json(await clients.getClient(c.var.services, c.req.valid('param').id)),
  )
  .patch('/:id', validParams(clientIdParam), jsonBody(clientChangesSchema), async (c) =>
    c.json(await clients.updateClient(c.var.services, c.req.valid('param').id, c.req.valid('json'))),
  )
  .delete('/:id', validParams(clientIdParam), async (c) => {
    await clients.deleteClient(c.var.services, c.req.valid('param').id);
    return c.body(null, 204);
  })
  .post('/:id/secret', validParams(clientIdParam), async (c) =>
    c.json(await clients.rotateClientSecret(c.var.services, c.req.valid('param').id)),
  );
