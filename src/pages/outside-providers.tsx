// The outside providers on the pages: a "Continue with ..." button per provider on /signin and
// /register (a plain GET form, no script), the "Connected accounts" card of /account, and the page
// that explains a sign-in through a provider that did not finish.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { IdentityView } from '../core/identities/identities';
import type { OutsideRefusal } from '../core/identities/outside-sign-in';
import type { FieldErrors } from './form';
import { ActionRow, Alert, Card, CsrfField, Layout } from './layout';
import { renderPage } from './render';

export interface ProviderChoice {
  id: string;
  name: string;
}

/**
 * Links, not forms: the pages' Content-Security-Policy has `form-action 'self'`, which browsers
 * also apply to the redirect a form submission is answered with, and that one leaves for the provider.
 */
export function OutsideProviderButtons(props: { providers: ProviderChoice[]; returnTo?: string | null | undefined }) {
  if (props.providers.length === 0) return null;
  const query = props.returnTo ? `?${new URLSearchParams({ redirect_to: props.returnTo }).toString()}` : '';
  return (
    <div class="outside-providers" data-testid="outside-providers">
      {props.providers.map((provider) => (
        <a class="provider" href={`/auth/oauth/${provider.id}${query}`}>
          Continue with {provider.name}
        </a>
      ))}
    </div>
  );
}

/**
 * The step between "Connect" on /account (a form post, checked for CSRF) and the provider: a link,
 * since the pages' `form-action 'self'` stops a form's redirect to another site.
 */
export function ContinueToProviderPage(props: { url: string; providerName: string }) {
  return (
    <Layout title={`Connect ${props.providerName}`}>
      <Card title={`Connect ${props.providerName}`}>
        <p>Sign in at {props.providerName} to connect it to your account.</p>
        <a class="provider" href={props.url} data-testid="continue-to-provider">
          Continue to {props.providerName}
        </a>
        <p class="links">
          <a href="/account">Back to your account</a>
        </p>
      </Card>
    </Layout>
  );
}

function formatDate(iso: string): string {
  return iso.slice(0, 10);
}

export function ConnectedAccountsCard(props: {
  identities: IdentityView[];
  providers: ProviderChoice[];
  errors?: FieldErrors | undefined;
}) {
  if (props.providers.length === 0 && props.identities.length === 0) return null;
  const linked = new Set(props.identities.map((identity) => identity.provider));
  const available = props.providers.filter((provider) => !linked.has(provider.id));
  return (
    <Card title="Connected accounts" heading="h2" labelledBy="identities-heading">
      <p class="hint">Accounts at other services you can sign in with.</p>
      {props.errors?.identity ? <Alert kind="error">{props.errors.identity}</Alert> : null}
      {props.identities.length > 0 ? (
        <ul class="plain" data-testid="identities">
          {props.identities.map((identity) => (
            <ActionRow
              title={identity.providerName}
              meta={`${identity.email ? `${identity.email} · ` : ''}connected ${formatDate(identity.createdAt)}`}
              action="/account/identities/remove"
              field="identity"
              value={identity.id}
              button="Disconnect"
              label={`Disconnect ${identity.providerName}`}
            />
          ))}
        </ul>
      ) : (
        <p>No connected accounts yet.</p>
      )}
      {available.map((provider) => (
        <form method="post" action="/account/identities/link">
          <CsrfField />
          <input type="hidden" name="provider" value={provider.id} />
          <button type="submit" class="secondary">
            Connect {provider.name}
          </button>
        </form>
      ))}
    </Card>
  );
}

const refusals: Record<OutsideRefusal, { status: ContentfulStatusCode; text: (name: string) => string }> = {
  invalid_state: {
    status: 400,
    text: () =>
      'This sign-in cannot be finished: it was already used, took too long, or was started in another browser. Start again.',
  },
  access_denied: { status: 403, text: (name) => `The sign-in with ${name} was cancelled, so nothing happened.` },
  invalid_response: {
    status: 502,
    text: (name) => `${name} sent an answer that did not pass our checks, so you were not signed in. Try again.`,
  },
  unreachable: { status: 503, text: (name) => `${name} cannot be reached right now. Wait a moment, then try again.` },
  email_unverified: {
    status: 409,
    text: (name) =>
      `An account already uses the email address ${name} gave, but it cannot be connected automatically because one side has not verified the address. Sign in another way, then connect ${name} from your account page.`,
  },
  no_email: {
    status: 400,
    text: (name) => `${name} did not share an email address, which every account needs. Sign in another way.`,
  },
  identity_taken: {
    status: 409,
    text: (name) => `This ${name} account is already connected to another account, so it was not connected to yours.`,
  },
  account_disabled: { status: 403, text: () => 'This account has been disabled. Contact support.' },
  email_not_verified: {
    status: 403,
    text: () => 'Your email address is not verified yet. Open the link in the mail we sent you, then sign in again.',
  },
};

export function renderOutsideRefusal(c: Context, reason: OutsideRefusal, providerName: string) {
  const { status, text } = refusals[reason];
  if (reason === 'unreachable') c.header('retry-after', '30');
  const title = reason === 'identity_taken' ? 'Not connected' : 'Sign-in not finished';
  return renderPage(
    c,
    <Layout title={title}>
      <Card title={title}>
        <Alert kind="error">{text(providerName)}</Alert>
        <p class="links">
          <a href="/signin">Go to sign in</a>
          {reason === 'email_not_verified' ? <a href="/resend-verification">Send a new verification link</a> : null}
          {reason === 'identity_taken' ? <a href="/account">Back to your account</a> : null}
        </p>
      </Card>
    </Layout>,
    status,
  );
}
