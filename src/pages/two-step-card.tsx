// The "Two-step sign-in" card of /account: set up (QR code as inline SVG and the secret as text),
// confirm, the recovery codes shown once, regenerate, turn off. Plain forms, no script, so it
// works with JavaScript off and under the pages' CSP (an inline <svg> is markup, not a resource).
import { raw } from 'hono/html';
import { renderQrSvg } from '../core/kit/qr-svg';
import type { FieldErrors } from './form';
import { Alert, Card, CsrfField, Field } from './layout';

export interface TwoStepView {
  status: { totp: { enabled: boolean; enabledAt: string | null }; recoveryCodes: { remaining: number } };
  /** A set-up in progress: the secret and its URI, shown until a code confirms it. */
  setup?: { secret: string; otpauthUri: string } | undefined;
  /** Codes to show this once (after confirming or regenerating). */
  recoveryCodes?: string[] | undefined;
  errors?: FieldErrors | undefined;
}

/** Groups the base32 secret in fours, the way apps show it, for typing by hand. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)!.join(' ');

function RecoveryCodes(props: { codes: string[] }) {
  return (
    <div data-testid="recovery-codes">
      <Alert kind="ok">
        Save these recovery codes now, somewhere other than your phone. Each works once, and they will not be shown
        again.
      </Alert>
      <ol class="recovery-codes">
        {props.codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ol>
    </div>
  );
}

function PasswordAndCodeForm(props: { action: string; button: string; prefix: string; errors: FieldErrors }) {
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField />
      <Field
        name="password"
        label="Password"
        type="password"
        autocomplete="current-password"
        idPrefix={props.prefix}
        error={props.errors[`${props.prefix}-password`]}
      />
      <Field
        name="code"
        label="Code from your app or a recovery code"
        autocomplete="one-time-code"
        idPrefix={props.prefix}
        error={props.errors[`${props.prefix}-code`]}
      />
      <button type="submit" class="secondary">
        {props.button}
      </button>
    </form>
  );
}

export function TwoStepCard(props: TwoStepView) {
  const errors = props.errors ?? {};
  const { totp, recoveryCodes } = props.status;
  return (
    <Card title="Two-step sign-in" heading="h2" labelledBy="two-step-heading">
      {props.recoveryCodes ? <RecoveryCodes codes={props.recoveryCodes} /> : null}
      {errors.twoStep ? <Alert kind="error">{errors.twoStep}</Alert> : null}
      {totp.enabled ? (
        <>
          <p data-testid="two-step-status">
            On since {totp.enabledAt!.slice(0, 10)}. {recoveryCodes.remaining} recovery codes left.
          </p>
          <h3>New recovery codes</h3>
          <PasswordAndCodeForm
            action="/account/two-step/recovery-codes"
            button="Make new recovery codes"
            prefix="regenerate"
            errors={errors}
          />
          <h3>Turn off</h3>
          <PasswordAndCodeForm
            action="/account/two-step/disable"
            button="Turn off two-step sign-in"
            prefix="disable"
            errors={errors}
          />
        </>
      ) : props.setup ? (
        <>
          <p>Scan this code with your authenticator app, or type the key below into it.</p>
          <div class="qr">
            {raw(renderQrSvg(props.setup.otpauthUri, { label: 'QR code for your authenticator app' }))}
          </div>
          <p>
            Key: <code data-testid="totp-secret">{grouped(props.setup.secret)}</code>
          </p>
          <form method="post" action="/account/two-step/confirm" novalidate>
            <CsrfField />
            {/* Only to show the QR code again after a wrong code; the stored secret is what is checked. */}
            <input type="hidden" name="secret" value={props.setup.secret} />
            <input type="hidden" name="otpauthUri" value={props.setup.otpauthUri} />
            <Field
              name="code"
              label="The 6-digit code your app shows"
              autocomplete="one-time-code"
              idPrefix="confirm"
              error={errors['confirm-code']}
            />
            <button type="submit">Turn on two-step sign-in</button>
          </form>
        </>
      ) : (
        <>
          <p class="hint">Off. With it on, signing in also asks for a code from an authenticator app on your phone.</p>
          <form method="post" action="/account/two-step/setup" novalidate>
            <CsrfField />
            <Field
              name="password"
              label="Password"
              type="password"
              autocomplete="current-password"
              idPrefix="setup"
              error={errors['setup-password']}
            />
            <button type="submit" class="secondary">
              Set up an authenticator app
            </button>
          </form>
        </>
      )}
    </Card>
  );
}
