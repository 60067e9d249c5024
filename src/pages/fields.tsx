// Form parts that several pages share: the email field, a new-password field with the policy as
// its hint, and the one-field page that asks for an address (forgot password, resend verification).
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH_FLOOR } from '../core/passwords/password-policy';
import type { Context } from 'hono';
import { emailSchema } from '../web/schemas';
import type { PageEnv } from '../web/page-env';
import { type FieldErrors, checkField, readForm } from './form';
import { Card, CsrfField, Field, Layout } from './layout';
import { renderPage } from './render';

export const PASSWORD_POLICY = `${PASSWORD_MIN_LENGTH_FLOOR} to ${PASSWORD_MAX_LENGTH} characters. A few words make a strong password that is easy to remember.`;

export function EmailField(props: {
  value?: string | undefined;
  error?: string | undefined;
  autofocus?: boolean;
  maxlength?: number;
  idPrefix?: string | undefined;
}) {
  return (
    <Field
      name="email"
      label="Email"
      type="email"
      value={props.value ?? ''}
      autocomplete="email"
      error={props.error}
      maxlength={props.maxlength}
      autofocus={props.autofocus}
      idPrefix={props.idPrefix}
    />
  );
}

/** A new account's username, with the rule it must follow. */
export function UsernameField(props: { value?: string | undefined; error?: string | undefined; autofocus?: boolean }) {
  return (
    <Field
      name="username"
      label="Username"
      value={props.value ?? ''}
      autocomplete="username"
      hint="3 to 32 characters: letters a–z, digits, “_”, “.” and “-”."
      error={props.error}
      maxlength={64}
      autofocus={props.autofocus}
    />
  );
}

export function NewPasswordField(props: {
  name: string;
  label: string;
  error?: string | undefined;
  autofocus?: boolean;
}) {
  return (
    <Field
      name={props.name}
      label={props.label}
      type="password"
      autocomplete="new-password"
      hint={PASSWORD_POLICY}
      error={props.error}
      autofocus={props.autofocus}
    />
  );
}

export interface EmailRequestText {
  title: string;
  heading: string;
  intro: string;
  action: string;
  submit: string;
}

/** A page that asks for an email address and posts it to `action`; the address has focus. */
export function EmailRequestPage(props: { text: EmailRequestText; email?: string; errors?: FieldErrors }) {
  const { text } = props;
  return (
    <Layout title={text.title}>
      <Card title={text.heading}>
        <p>{text.intro}</p>
        <form method="post" action={text.action} novalidate>
          <CsrfField />
          <EmailField value={props.email} error={props.errors?.email} autofocus />
          <button type="submit" class="wide">
            {text.submit}
          </button>
        </form>
        <p class="links">
          <a href="/signin">Back to sign in</a>
        </p>
      </Card>
    </Layout>
  );
}

/** The address posted from an EmailRequestPage, or that page again with the field's error. */
export async function readRequestedEmail(
  c: Context<PageEnv>,
  text: EmailRequestText,
): Promise<{ email: string } | { refusal: Response }> {
  const form = await readForm(c.req);
  const errors: FieldErrors = {};
  const email = checkField(errors, 'email', 'Email', emailSchema, form.email);
  if (email !== undefined) return { email };
  const page = <EmailRequestPage text={text} email={(form.email ?? '').slice(0, 320)} errors={errors} />;
  return { refusal: await renderPage(c, page, 400) };
}
