// The JSON API of two-step sign-in: set up, confirm and turn off TOTP, recovery codes, and the
// second step of a sign-in (POST /auth/mfa/verify), which answers exactly what a login does.
import { Hono } from 'hono';
import {
  confirmTotp,
  disableTotp,
  getMfaStatus,
  regenerateRecoveryCodes,
  startTotpSetup,
  verifyMfa,
} from '../../core/mfa/mfa';
import type { AppEnv } from '../../web/context';
import { mfaVerifyBody, totpConfirmBody } from '../../web/mfa-schemas';
import { passwordAndCodeBody, reauthenticationBody } from '../../web/proof-schemas';
import { limitPerClient } from '../../web/rate-limit';
import { setSessionCookies } from '../../web/session-cookies';
import { describeUserAgent } from '../../web/user-agent';
import { jsonBody } from '../json-body';
import { requireAuth } from '../require-auth';

export const mfaRoutes = new Hono<AppEnv>()
  .get('/mfa', requireAuth, async (c) => c.json(await getMfaStatus(c.var.services, c.var.auth)))
  .post(
    '/mfa/totp/setup',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'mfa-setup'),
    requireAuth,
    jsonBody(reauthenticationBody),
    async (c) => c.json(await startTotpSetup(c.var.services, c.var.auth, c.req.valid('json'))),
  )
  // Each set-up code is a guess: the per-client limit here, five per pending secret in the flow.
  .post(
    '/mfa/totp/confirm',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'mfa-setup'),
    requireAuth,
    jsonBody(totpConfirmBody),
    async (c) => c.json(await confirmTotp(c.var.services, c.var.auth, c.req.valid('json').code)),
  )
  .delete(
    '/mfa/totp',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'mfa-change'),
    requireAuth,
    jsonBody(passwordAndCodeBody),
    async (c) => {
      await disableTotp(c.var.services, c.var.auth, c.req.valid('json'));
      return c.body(null, 204);
    },
  )
  .post(
    '/mfa/recovery-codes',
    limitPerClient('RATE_LIMIT_CREDENTIALS', 'mfa-change'),
    requireAuth,
    jsonBody(passwordAndCodeBody),
    async (c) => c.json(await regenerateRecoveryCodes(c.var.services, c.var.auth, c.req.valid('json'))),
  )
  // The second step shares the login's per-client budget: a sign-in spends it once per step.
  .post('/mfa/verify', limitPerClient('RATE_LIMIT_CREDENTIALS', 'login'), jsonBody(mfaVerifyBody), async (c) => {
    const tokens = await verifyMfa(c.var.services, {
      ...c.req.valid('json'),
      userAgent: describeUserAgent(c.req.header('user-agent')),
    });
    setSessionCookies(c, tokens, c.var.services.settings.sessionTtlSeconds);
    return c.json(tokens);
  });
