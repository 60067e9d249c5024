// The /account cards for changing the email and deleting the account. Field names are their own
// (`emailPassword`, `deletePassword`), so an error on one form never shows on another. With
// two-step sign-in on, each also asks for a code (`emailCode`, `deleteCode`).
import type { FieldErrors } from './form';
import { Card, CsrfField, Field } from './layout';

/** The code a change of factors or address asks for while two-step sign-in is on. */
export function SecondFactorCodeField(props: { name: string; idPrefix: string; error: string | undefined }) {
  return (
    <Field
      name={props.name}
      label="Code from your authenticator app or a recovery code"
      autocomplete="one-time-code"
      idPrefix={props.idPrefix}
      maxlength={64}
      error={props.error}
    />
  );
}

export function ChangeEmailCard(props: { username: string; errors: FieldErrors; totpOn: boolean }) {
  return (
    <Card title="Change email" heading="h2" labelledBy="email-heading">
      <p class="hint">
        We mail a link to the new address; the change happens when you open it. Your current address is told.
      </p>
      <form method="post" action="/account/email" novalidate>
        <CsrfField />
        <input type="text" name="username" value={props.username} autocomplete="username" hidden />
        <Field
          name="newEmail"
          label="New email address"
          type="email"
          autocomplete="email"
          idPrefix="email"
          maxlength={320}
          error={props.errors.newEmail}
        />
        <Field
          name="emailPassword"
          label="Current password"
          type="password"
          autocomplete="current-password"
          idPrefix="email"
          error={props.errors.emailPassword}
        />
        {props.totpOn ? (
          <SecondFactorCodeField name="emailCode" idPrefix="email" error={props.errors.emailCode} />
        ) : null}
        <button type="submit">Change email</button>
      </form>
    </Card>
  );
}

export function DeleteAccountCard(props: { username: string; errors: FieldErrors; totpOn: boolean }) {
  return (
    <Card title="Delete account" heading="h2" labelledBy="delete-heading">
      <p>
        <strong>This cannot be undone.</strong> Your account, its sessions and its data are deleted at once, and every
        browser and app signed in to it is signed out.
      </p>
      <form method="post" action="/account/delete" novalidate>
        <CsrfField />
        <input type="text" name="username" value={props.username} autocomplete="username" hidden />
        <Field
          name="deletePassword"
          label="Current password"
          type="password"
          autocomplete="current-password"
          idPrefix="delete"
          error={props.errors.deletePassword}
        />
        {props.totpOn ? (
          <SecondFactorCodeField name="deleteCode" idPrefix="delete" error={props.errors.deleteCode} />
        ) : null}
        <button type="submit" class="danger">
          Delete my account
        </button>
      </form>
    </Card>
  );
}
