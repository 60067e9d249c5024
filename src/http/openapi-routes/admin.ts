// The admin API routes (src/http/routes/admin.ts).
import { adminUserDetailSchema, adminUserEnvelopeSchema, adminUserListSchema } from '../response-schemas';
import { adminUsersQuery } from '../../web/schemas';
import type { RouteDoc } from './route-doc';

export const adminRouteDocs: RouteDoc[] = [
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
  {
    method: 'delete',
    path: '/admin/users/:id/mfa',
    tag: 'Admin',
    summary: 'Remove the user’s second factors (a notice is mailed).',
    admin: true,
    responses: { 204: { description: 'Removed.' } },
  },
];
