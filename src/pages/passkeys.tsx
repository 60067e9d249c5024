// The passkey parts of the pages: the "Sign in with a passkey" control of /signin and the
// "Passkeys" card of /account. Adding a passkey and signing in with one need WebAuthn, so those
// controls are hidden until the script (passkeys-script.ts) finds it; renaming and removing are
// plain form posts that work without script. Removing needs the password, like the API.
import { Hono, type Context } from 'hono';
import { removePasskey, renamePasskey } from '../core/passkeys/passkeys';
import type { PasskeySummary } from '../core/passkeys/passkeys';
import type { PageEnv } from '../web/page-env';
import { passkeyNameSchema } from '../web/passkey-schemas';
import { loginPasswordSchema } from '../web/schemas';
import { SecondFactorCodeField } from './account-forms';
import { type FieldErrors, failureFrom, readForm } from './form';
import { Card, CsrfField, Field } from './layout';
import { currentSession } from './page-session';
import { PASSKEY_SCRIPT_PATH } from './passkeys-script';

function PasskeyScript() {
  return <script type="module" src={PASSKEY_SCRIPT_PATH}></script>;
}

/** On /signin: hidden unless the browser can use passkeys of `rpId` at the page's address. */
export function PasskeySignIn(props: { rpId: string; returnTo?: string | null | undefined }) {
  return (
    <div data-passkey-signin data-rp-id={props.rpId} data-redirect={props.returnTo ?? undefined} hidden>
      <p class="hint">Or, without a password:</p>
      <button type="button" class="wide secondary">
        Sign in with a passkey
      </button>
      <p class="hint" role="status" data-passkey-status></p>
      <PasskeyScript />
    </div>
  );
}

function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function PasskeyItem(props: { passkey: PasskeySummary; errors: FieldErrors; totpOn: boolean }) {
  const { passkey } = props;
  const errors = props.errors.passkey === passkey.id ? props.errors : {};
  return (
    <li class="passkey" data-testid="passkey">
      <div>
        <div>{passkey.name}</div>
        <div class="session-meta">
          Added {formatTime(passkey.createdAt)} ·{' '}
          {passkey.lastUsedAt ? `last used ${formatTime(passkey.lastUsedAt)}` : 'not used yet'}
        </div>
        <details open={Object.keys(errors).length > 1 ? true : undefined}>
          <summary>Rename or remove</summary>
          <form method="post" action="/account/passkeys/rename" novalidate>
            <CsrfField />
            <input type="hidden" name="passkey" value={passkey.id} />
            <Field
              name="name"
              label="New name"
              value={passkey.name}
              maxlength={64}
              error={errors.name}
              idPrefix={`rename-${passkey.id}`}
            />
            <button type="submit" class="secondary">
              Rename
            </button>
          </form>
          <form method="post" action="/account/passkeys/remove" novalidate>
            <CsrfField />
            <input type="hidden" name="passkey" value={passkey.id} />
            <Field
              name="password"
              label="Your password, to remove this passkey"
              type="password"
              autocomplete="current-password"
              error={errors.password}
              idPrefix={`remove-${passkey.id}`}
            />
            {props.totpOn ? (
              <SecondFactorCodeField name="code" idPrefix={`remove-${passkey.id}`} error={errors.code} />
            ) : null}
            <button type="submit" class="secondary">
              Remove passkey
            </button>
          </form>
        </details>
      </div>
    </li>
  );
}

/** On /account: the user's passkeys, and adding one (with the password, ASVS 7.5.1). */
export function PasskeysCard(props: {
  passkeys: PasskeySummary[];
  username: string;
  rpId: string;
  /** With two-step sign-in on, adding or removing a passkey asks for a code too. */
  totpOn: boolean;
  errors?: FieldErrors;
}) {
  const errors = props.errors ?? {};
  return (
    <Card title="Passkeys" heading="h2" labelledBy="passkeys-heading">
      <p class="hint">
        A passkey signs you in with your device's screen lock or security key instead of your password, and cannot be
        phished.
      </p>
      {props.passkeys.length > 0 ? (
        <ul class="plain">
          {props.passkeys.map((passkey) => (
            <PasskeyItem passkey={passkey} errors={errors} totpOn={props.totpOn} />
          ))}
        </ul>
      ) : (
        <p>You have no passkeys yet.</p>
      )}
      <form data-passkey-add data-rp-id={props.rpId} hidden novalidate>
        <input type="text" name="username" value={props.username} autocomplete="username" hidden />
        <Field
          name="name"
          label="Name for the new passkey"
          hint="For example, the device it is on."
          required={false}
          maxlength={64}
          idPrefix="add-passkey"
        />
        <Field
          name="password"
          label="Your password"
          type="password"
          autocomplete="current-password"
          idPrefix="add-passkey"
        />
        {props.totpOn ? <SecondFactorCodeField name="code" idPrefix="add-passkey" error={undefined} /> : null}
        <button type="submit">Add a passkey</button>
        <p class="hint" role="status" data-passkey-status></p>
      </form>
      <PasskeyScript />
    </Card>
  );
}

/** The form posts of the Passkeys card; `render` shows /account again with the errors. */
export function passkeyPages(
  render: (c: Context<PageEnv>, errors: FieldErrors, status: 400 | 401 | 404) => Promise<Response>,
) {
  const loginRedirect = (c: Context<PageEnv>) => c.redirect('/signin?redirect_to=%2Faccount', 303);
  return new Hono<PageEnv>()
    .post('/account/passkeys/rename', async (c) => {
      const auth = await currentSession(c);
      if (!auth) return loginRedirect(c);
      const form = await readForm(c.req);
      const passkey = (form.passkey ?? '').slice(0, 64);
      const name = passkeyNameSchema.safeParse(form.name ?? '');
      if (!name.success) return render(c, { passkey, name: 'Enter a name of at most 64 characters.' }, 400);
      try {
        await renamePasskey(c.var.services, auth, passkey, name.data);
      } catch (error) {
        return render(c, failureFrom(error, {}).errors, 404);
      }
      return c.redirect('/account?notice=passkey-renamed', 303);
    })
    .post('/account/passkeys/remove', async (c) => {
      const auth = await currentSession(c);
      if (!auth) return loginRedirect(c);
      const form = await readForm(c.req);
      const passkey = (form.passkey ?? '').slice(0, 64);
      const password = form.password ?? '';
      if (!password || !loginPasswordSchema.safeParse(password).success) {
        return render(c, { passkey, password: 'Enter your password.' }, 400);
      }
      try {
        await removePasskey(c.var.services, auth, passkey, { password, code: form.code?.slice(0, 64) || undefined });
      } catch (error) {
        const failure = failureFrom(
          error,
          { password: { input: 'password', label: 'Password' }, code: { input: 'code', label: 'Code' } },
          {
            invalid_code: { field: 'code', message: 'That code is not right, or was already used.' },
            second_factor_required: { field: 'code', message: 'Enter a code from your authenticator app.' },
          },
        );
        return render(
          c,
          { passkey, ...failure.errors },
          failure.status === 401 ? 401 : failure.status === 404 ? 404 : 400,
        );
      }
      return c.redirect('/account?notice=passkey-removed', 303);
    });
}
