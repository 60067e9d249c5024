// The OpenID Provider's pages: the consent page a third-party app gets, the step that hands the
// browser back to an app, the refusal shown when a request cannot be sent back, and sign-out.
import { Alert, Card, CsrfField, Layout } from './layout';

const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are (your account id)',
  profile: 'See your username and display name',
  email: 'See your email address and whether it is verified',
  offline_access: 'Stay connected while you are away',
};

/** Names the app and what it asks for; Allow and Deny post the request back with the decision. */
export function ConsentPage(props: { clientName: string; scopes: string[]; fields: Record<string, string> }) {
  return (
    <Layout title="Allow access" signedIn>
      <Card title={`Allow ${props.clientName} to use your account?`}>
        <p>{props.clientName} asks to:</p>
        <ul>
          {props.scopes.map((scope) => (
            <li>{SCOPE_TEXT[scope] ?? scope}</li>
          ))}
        </ul>
        <p class="hint">You can disconnect it later on your account page, under Connected apps.</p>
        <form method="post" action="/oauth2/consent" class="links">
          <CsrfField />
          {Object.entries(props.fields).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
          <button type="submit" name="decision" value="allow">
            Allow
          </button>
          <button type="submit" name="decision" value="deny" class="secondary">
            Deny
          </button>
        </form>
      </Card>
    </Layout>
  );
}

/** Handing the browser back to the app; the Refresh header moves on by itself, the link if not. */
export function ContinuePage(props: { target: string; clientName: string }) {
  return (
    <Layout title="Returning to the app">
      <Card title={`Returning to ${props.clientName}`}>
        <p>
          <a href={props.target}>Continue to {props.clientName}</a>
        </p>
      </Card>
    </Layout>
  );
}

/** A request that names no registered client or return address: nothing is sent anywhere. */
export function AuthorizationRefusedPage(props: { detail: string }) {
  return (
    <Layout title="Cannot sign in to this app">
      <Card title="Cannot sign in to this app">
        <Alert kind="error">{props.detail}</Alert>
        <p>Go back to the app and try again, or tell its owner.</p>
      </Card>
    </Layout>
  );
}

/** RP-initiated logout without a valid id_token_hint: the person confirms (a form, so a link alone cannot sign anyone out). */
export function ConfirmSignOutPage() {
  return (
    <Layout title="Sign out" signedIn>
      <Card title="Sign out?">
        <p>An app asked to sign you out of your account here.</p>
        <form method="post" action="/signout" class="links">
          <CsrfField />
          <button type="submit">Sign out</button>
        </form>
      </Card>
    </Layout>
  );
}

export function SignedOutPage() {
  return (
    <Layout title="Signed out">
      <Card title="You are signed out">
        <p>
          <a href="/signin">Sign in again</a>
        </p>
      </Card>
    </Layout>
  );
}
