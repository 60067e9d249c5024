// The forms of the /account "Two-step sign-in" card. Each calls the same core flow as the JSON
// API and renders /account again with the outcome: recovery codes are shown on that one answer
// (never put in a redirect URL), errors next to the field they concern.
import { type Context, Hono } from 'hono';
import { AuthError } from '../core/kit/errors';
import { confirmTotp, disableTotp, regenerateRecoveryCodes, startTotpSetup } from '../core/mfa/mfa';
import type { Authenticated } from '../core/sessions/session-flows';
import type { PageEnv } from '../web/page-env';
import { loginRedirect, renderAccount } from './account';
import { type FieldErrors, readForm } from './form';
import { currentSession } from './page-session';

const messages: Partial<Record<AuthError['code'], string>> = {
  invalid_credentials: 'That password is not right.',
  invalid_code: 'That code is not right, or was already used. Wait for the next one and try again.',
  conflict: 'Two-step sign-in changed meanwhile. The card below is up to date.',
  rate_limited: 'Too many failed attempts. Try again later.',
  unavailable: 'Two-step sign-in is not available on this server right now.',
};

/** The failure as an error on the card: on the password or code field of the form `prefix`. */
function cardErrors(error: unknown, prefix: string): { errors: FieldErrors; status: 400 | 401 | 409 | 429 | 503 } {
  if (!(error instanceof AuthError)) throw error;
  const message = messages[error.code] ?? error.detail;
  const field = { invalid_credentials: 'password', invalid_code: 'code' }[error.code as string];
  const errors = field ? { [`${prefix}-${field}`]: message } : { twoStep: message };
  const status = ({ invalid_credentials: 401, invalid_code: 401, conflict: 409, rate_limited: 429, unavailable: 503 }[
    error.code as string
  ] ?? 400) as 400 | 401 | 409 | 429 | 503;
  return { errors, status };
}

type Handler = (c: Context<PageEnv>, auth: Authenticated, form: Record<string, string>) => Promise<Response>;

const signedIn = (handler: Handler) => async (c: Context<PageEnv>) => {
  const auth = await currentSession(c);
  if (!auth) return loginRedirect(c);
  return handler(c, auth, await readForm(c.req));
};

const bounded = (value: string | undefined, max: number) => (value ?? '').slice(0, max);

export const twoStepPages = new Hono<PageEnv>()
  .post(
    '/account/two-step/setup',
    signedIn(async (c, auth, form) => {
      try {
        const setup = await startTotpSetup(c.var.services, auth, { password: bounded(form.password, 4096) });
        return renderAccount(c, auth, { twoStep: { setup } });
      } catch (error) {
        const { errors, status } = cardErrors(error, 'setup');
        return renderAccount(c, auth, { twoStep: { errors } }, status);
      }
    }),
  )
  .post(
    '/account/two-step/confirm',
    signedIn(async (c, auth, form) => {
      try {
        const { recoveryCodes } = await confirmTotp(c.var.services, auth, bounded(form.code, 64));
        return renderAccount(c, auth, { twoStep: { recoveryCodes } });
      } catch (error) {
        const { errors, status } = cardErrors(error, 'confirm');
        // Shown again only for display; the pending secret stored at set-up is what the code is checked against.
        const secret = bounded(form.secret, 64);
        const otpauthUri = bounded(form.otpauthUri, 512);
        const setup =
          /^[A-Z2-7]+$/.test(secret) && otpauthUri.startsWith('otpauth://') ? { secret, otpauthUri } : undefined;
        return renderAccount(c, auth, { twoStep: { errors, setup } }, status);
      }
    }),
  )
  .post(
    '/account/two-step/recovery-codes',
    signedIn(async (c, auth, form) => {
      try {
        const input = { password: bounded(form.password, 4096), code: bounded(form.code, 64) };
        const { recoveryCodes } = await regenerateRecoveryCodes(c.var.services, auth, input);
        return renderAccount(c, auth, { twoStep: { recoveryCodes } });
      } catch (error) {
        const { errors, status } = cardErrors(error, 'regenerate');
        return renderAccount(c, auth, { twoStep: { errors } }, status);
      }
    }),
  )
  .post(
    '/account/two-step/disable',
    signedIn(async (c, auth, form) => {
      try {
        await disableTotp(c.var.services, auth, {
          password: bounded(form.password, 4096),
          code: bounded(form.code, 64),
        });
      } catch (error) {
        const { errors, status } = cardErrors(error, 'disable');
        return renderAccount(c, auth, { twoStep: { errors } }, status);
      }
      return c.redirect('/account?notice=two-step-off', 303);
    }),
  );
