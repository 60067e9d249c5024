// The views of sign-in by email: the control on /signin, the page that asks for a mail (and its
// variant that creates an account), "Check your mail" with the code form, and the mailed link's
// page, whose button posts the token: opening the link spends nothing.
import type { FieldErrors } from './form';
import { EmailField, UsernameField } from './fields';
import { Alert, Card, CsrfField, Field, Layout } from './layout';

type ReturnTo = string | null | undefined;

function ReturnToField(props: { returnTo: ReturnTo }) {
  return props.returnTo ? <input type="hidden" name="redirect_to" value={props.returnTo} /> : null;
}

/** On /signin, below the password form: one address and a button, no script needed. */
export function EmailLinkRequest(props: { returnTo: ReturnTo }) {
  return (
    <form method="post" action="/signin/email/request" class="email-link" novalidate>
      <CsrfField />
      <ReturnToField returnTo={props.returnTo} />
      <p class="hint">Or get a sign-in link and a code by email:</p>
      <EmailField maxlength={320} idPrefix="email-link" />
      <button type="submit" class="wide secondary">
        Email me a sign-in link
      </button>
    </form>
  );
}

/**
 * Asks for a sign-in mail; with `createAccount`, also for the username of the account to create
 * (an address that already has an account gets a plain sign-in mail instead).
 */
export function EmailRequestView(props: {
  createAccount?: boolean;
  values?: Record<string, string>;
  errors?: FieldErrors;
  returnTo?: ReturnTo;
}) {
  const errors = props.errors ?? {};
  const values = props.values ?? {};
  const title = props.createAccount ? 'Create an account by email' : 'Sign in by email';
  const focused =
    (['username', 'email'] as const).find((name) => errors[name]) ?? (props.createAccount ? 'username' : 'email');
  return (
    <Layout title={title}>
      <Card title={title}>
        <p>
          {props.createAccount
            ? 'Choose a username and enter your address. We will mail you a link and a code; the first use creates the account, without a password.'
            : 'Enter the address of your account. We will mail you a link and a 6-digit code to sign in.'}
        </p>
        <form method="post" action="/signin/email/request" novalidate>
          <CsrfField />
          <ReturnToField returnTo={props.returnTo} />
          {props.createAccount ? (
            <>
              <input type="hidden" name="createAccount" value="on" />
              <UsernameField value={values.username} error={errors.username} autofocus={focused === 'username'} />
            </>
          ) : null}
          <EmailField value={values.email} error={errors.email} maxlength={320} autofocus={focused === 'email'} />
          <button type="submit" class="wide">
            {props.createAccount ? 'Email me a link to create the account' : 'Email me a sign-in link'}
          </button>
        </form>
        <p class="links">
          <a href="/signin">Back to sign in</a>
        </p>
      </Card>
    </Layout>
  );
}

/** The 6-digit code, for the device that asked while the link is opened elsewhere. */
function CodeForm(props: {
  email?: string | undefined;
  /** The address is known from the request: carried, not asked again. */
  emailHidden?: boolean;
  errors: FieldErrors;
  returnTo: ReturnTo;
  idPrefix?: string;
  submit: string;
  autofocus?: boolean;
}) {
  const { errors } = props;
  const focusEmail = Boolean(props.autofocus && !props.emailHidden && (errors.email || !props.email));
  return (
    <form method="post" action="/signin/email" novalidate>
      <CsrfField />
      <ReturnToField returnTo={props.returnTo} />
      {props.emailHidden ? (
        <input type="hidden" name="email" value={props.email ?? ''} />
      ) : (
        <EmailField
          value={props.email}
          error={errors.email}
          maxlength={320}
          idPrefix={props.idPrefix}
          autofocus={focusEmail}
        />
      )}
      <Field
        name="code"
        label="6-digit code from the mail"
        autocomplete="one-time-code"
        error={errors.code}
        maxlength={16}
        idPrefix={props.idPrefix}
        autofocus={Boolean(props.autofocus && !focusEmail)}
      />
      <button type="submit" class="wide">
        {props.submit}
      </button>
    </form>
  );
}

/** After asking: the same words whatever the address, and the code form with the address carried. */
export function CheckMailView(props: { email: string; createAccount: boolean; minutes: number; returnTo: ReturnTo }) {
  return (
    <Layout title="Check your mail">
      <Card title="Check your mail">
        <p>
          {props.createAccount ? 'If you can sign in or create an account with ' : 'If an account uses '}
          <strong>{props.email}</strong>, we have sent it a sign-in link and a 6-digit code. Both work once and expire
          in {props.minutes} minutes.
        </p>
        <p>Open the link on this device, or enter the code here.</p>
        <CodeForm email={props.email} emailHidden errors={{}} returnTo={props.returnTo} submit="Sign in" autofocus />
        <p class="links">
          <a href="/signin/email/request">Send another mail</a>
          <a href="/signin">Back to sign in</a>
        </p>
      </Card>
    </Layout>
  );
}

/** The code form on its own: a refused code, or /signin/email opened without a link. */
export function CodeView(props: { email?: string; errors?: FieldErrors; returnTo?: ReturnTo }) {
  const errors = props.errors ?? {};
  return (
    <Layout title="Enter the code from your mail">
      <Card title="Enter the code from your mail">
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        <CodeForm email={props.email} errors={errors} returnTo={props.returnTo} submit="Sign in" autofocus />
        <p class="links">
          <a href="/signin/email/request">Send another mail</a>
          <a href="/signin">Back to sign in</a>
        </p>
      </Card>
    </Layout>
  );
}

/** The mailed link's page. A scanner's GET sees a button; only a person's press spends the token. */
export function LinkView(props: { token: string }) {
  return (
    <Layout title="Sign in by email">
      <Card title="Sign in by email">
        <p>Press the button to sign in on this device.</p>
        <form method="post" action="/signin/email">
          <CsrfField />
          <input type="hidden" name="token" value={props.token} />
          <button type="submit" class="wide">
            Sign in
          </button>
        </form>
      </Card>
      <Card title="Signing in on another device?" heading="h2" labelledBy="other-device">
        <p>
          Enter the 6-digit code from the mail on the page where you asked for it. You can also enter it here, with your
          address.
        </p>
        <CodeForm errors={{}} returnTo={null} idPrefix="code" submit="Sign in with the code" />
      </Card>
    </Layout>
  );
}

/** A taken username is found at the first use of the mail: the way on is a new mail. */
export function UsernameTakenView() {
  return (
    <Layout title="Username taken">
      <Card title="That username was taken">
        <Alert kind="error">
          Someone took that username after your mail was sent, so the account was not created. Ask for a new mail with
          another username.
        </Alert>
        <p class="links">
          <a href="/register/email">Ask for a new mail</a>
          <a href="/signin">Back to sign in</a>
        </p>
      </Card>
    </Layout>
  );
}
