import { Hono } from 'hono';
import { toPublicUser } from '../../core/users';
import type { AppEnv } from '../context';
import { requireAuth } from '../require-auth';

export const meRoutes = new Hono<AppEnv>().get('/', requireAuth, (c) => c.json(toPublicUser(c.var.auth.user)));
