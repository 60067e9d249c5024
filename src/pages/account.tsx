// /account: the signed-in user's details, their sessions (each with its own sign-out), a change
// of password, of email and deletion (account-lifecycle.tsx), and signing out. Signed-out visitors are sent to /signin, which brings them back.
import { Hono, type Context } from 'hono';
import { changePassword } from '../core/accounts/account-changes';
import {
  type Authenticated,
  type SessionSummary,
  listSessions,
  logout,
  revokeSession,
} from '../core/sessions/session-flows';
import { clearSessionCookies } from '../web/session-cookies';
import type { PageEnv } from '../web/page-env';
import { type FieldErrors, checkField, failureFrom, readForm } from './form';
import { loginPasswordSchema, passwordSchema } from '../web/schemas';
import { ActionRow, Alert, Card, CsrfField, Field, Layout } from './layout';
import { renderPage } from './render';
import { noticeText } from './notices';
import { currentSession } from './page-session';
import { NewPasswordField } from './fields';
import { getMfaStatus } from '../core/mfa/mfa';
import { TwoStepCard, type TwoStepView } from './two-step-card';
import { ChangeEmailCard, DeleteAccountCard } from './account-forms';
import { listPasskeys, type PasskeySummary } from '../core/passkeys/passkeys';
import { PasskeysCard, passkeyPages } from './passkeys';
import { type IdentityView, listIdentities } from '../core/identities/identities';
import { ConnectedAccountsCard, type ProviderChoice } from './outside-providers';
import { identityRemovalPage } from './outside-sign-in';
import { type ActivityEntry, listActivity } from '../core/events/activity';
import { ActivityCard } from './activity-card';
import { ConnectedAppsCard } from './connected-apps-card';
import { type ConnectedApp, listConnectedApps } from '../core/oauth-server/grant-access';

/** The newest entries the card shows; GET /auth/activity gives up to 50. */
const ACTIVITY_CARD_ENTRIES = 10;

export const loginRedirect = (c: Context<PageEnv>) => c.redirect('/signin?redirect_to=%2Faccount', 303);

function formatTime(iso: string): string {
  // UTC, spelled out: the server does not know the reader's time zone and there is no script.
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function SessionItem(props: { session: SessionSummary }) {
  const { session } = props;
  const device = session.userAgent || 'Unknown device';
  return (
    <ActionRow
      title={
        <>
          {device}
          {session.current ? <span class="badge">This browser</span> : null}
        </>
      }
      meta={`Signed in ${formatTime(session.createdAt)} · last active ${formatTime(session.lastUsedAt)}`}
      action="/account/sessions/revoke"
      field="session"
      value={session.id}
      button="Sign out"
      label={`Sign out ${session.current ? 'this browser' : `session started ${formatTime(session.createdAt)}`}`}
    />
  );
}

interface AccountView {
  auth: Authenticated;
  sessions: SessionSummary[];
  passkeys: PasskeySummary[];
  /** The WebAuthn RP ID: the passkey controls stay hidden at addresses outside it. */
  rpId: string;
  notice?: string | undefined;
  errors?: FieldErrors;
  twoStep: TwoStepView;
  identities: IdentityView[];
  providers: ProviderChoice[];
  activity: ActivityEntry[];
  connectedApps: ConnectedApp[];
}

function AccountPage(props: AccountView) {
  const { user } = props.auth;
  const errors = props.errors ?? {};
  // With two-step sign-in on, changing a factor or the address asks for a code too.
  const totpOn = props.twoStep.status.totp.enabled;
  return (
    <Layout title="Your account" signedIn wide>
      {props.notice ? <Alert kind="ok">{props.notice}</Alert> : null}
      {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
      <Card title="Your account" labelledBy="account-heading">
        <dl class="facts">
          <dt>Username</dt>
          <dd data-testid="username">{user.username}</dd>
          {user.displayName ? (
            <>
              <dt>Name</dt>
              <dd>{user.displayName}</dd>
            </>
          ) : null}
          <dt>Email</dt>
          <dd>
            {user.email} {user.emailVerifiedAt !== null ? '(verified)' : '(not verified)'}
          </dd>
          <dt>Member since</dt>
          <dd>{new Date(user.createdAt).toISOString().slice(0, 10)}</dd>
        </dl>
        {user.emailVerifiedAt === null ? (
          <p class="hint" data-testid="verify-first">
            Verify your email address (open the link we mailed you) before adding two-step sign-in or a passkey.
          </p>
        ) : null}
        <form method="post" action="/signout" class="links">
          <CsrfField />
          <button type="submit">Sign out</button>
        </form>
      </Card>
      <Card title="Sessions" heading="h2" labelledBy="sessions-heading">
        <p class="hint">Browsers and apps signed in to your account. Sign out any you do not recognise.</p>
        <ul class="plain">
          {props.sessions.map((session) => (
            <SessionItem session={session} />
          ))}
        </ul>
      </Card>
      <ActivityCard activity={props.activity} />
      <TwoStepCard {...props.twoStep} />
      <PasskeysCard
        passkeys={props.passkeys}
        username={user.username}
        rpId={props.rpId}
        totpOn={totpOn}
        errors={errors}
      />
      <ConnectedAccountsCard identities={props.identities} providers={props.providers} errors={errors} />
      <ConnectedAppsCard apps={props.connectedApps} />
      <Card title="Change password" heading="h2" labelledBy="password-heading">
        <form method="post" action="/account/password" novalidate>
          <CsrfField />
          <input type="text" name="username" value={user.username} autocomplete="username" hidden />
          <Field
            name="currentPassword"
            label="Current password"
            type="password"
            autocomplete="current-password"
            error={errors.currentPassword}
          />
          <NewPasswordField name="newPassword" label="New password" error={errors.newPassword} />
          <button type="submit">Change password</button>
        </form>
      </Card>
      <ChangeEmailCard username={user.username} errors={errors} totpOn={totpOn} />
      <DeleteAccountCard username={user.username} errors={errors} totpOn={totpOn} />
    </Layout>
  );
}

export async function renderAccount(
  c: Context<PageEnv>,
  auth: Authenticated,
  extra: { notice?: string; errors?: FieldErrors; twoStep?: Omit<TwoStepView, 'status'> } = {},
  status: 200 | 400 | 401 | 403 | 404 | 409 | 429 | 503 = 200,
) {
  const [sessions, mfa, passkeys, identities, activity, connectedApps] = await Promise.all([
    listSessions(c.var.services, auth),
    getMfaStatus(c.var.services, auth),
    listPasskeys(c.var.services, auth),
    listIdentities(c.var.services, auth.user.id),
    listActivity(c.var.services, auth.user.id, ACTIVITY_CARD_ENTRIES),
    listConnectedApps(c.var.services, auth.user.id),
  ]);
  const { twoStep, ...rest } = extra;
  return renderPage(
    c,
    <AccountPage
      auth={auth}
      sessions={sessions}
      passkeys={passkeys}
      rpId={c.var.services.relyingParty.id}
      twoStep={{ ...twoStep, status: mfa }}
      identities={identities}
      providers={c.var.services.outsideProviders.list()}
      activity={activity}
      connectedApps={connectedApps}
      {...rest}
    />,
    status,
  );
}

export const accountPages = new Hono<PageEnv>()
  .get('/account', async (c) => {
    const auth = await currentSession(c);
    if (!auth) return loginRedirect(c);
    return renderAccount(c, auth, { notice: noticeText(c.req.query('notice')) });
  })
  .post('/signout', async (c) => {
    const auth = await currentSession(c);
    if (auth) await logout(c.var.services, auth);
    clearSessionCookies(c);
    return c.redirect('/signin?notice=signed-out', 303);
  })
  .post('/account/sessions/revoke', async (c) => {
    const auth = await currentSession(c);
    if (!auth) return loginRedirect(c);
    const { session = '' } = await readForm(c.req);
    try {
      await revokeSession(c.var.services, auth, session.slice(0, 128));
    } catch (error) {
      const failure = failureFrom(
        error,
        {},
        {
          not_found: { message: 'That session has already ended. The list below is up to date.' },
        },
      );
      return renderAccount(c, auth, { errors: failure.errors }, 404);
    }
    if (session === auth.session.id) {
      clearSessionCookies(c);
      return c.redirect('/signin?notice=signed-out', 303);
    }
    return c.redirect('/account?notice=session-revoked', 303);
  })
  .post('/account/password', async (c) => {
    const auth = await currentSession(c);
    if (!auth) return loginRedirect(c);
    const form = await readForm(c.req);
    const currentPassword = form.currentPassword ?? '';
    const newPassword = form.newPassword ?? '';
    const errors: FieldErrors = {};
    if (!currentPassword) errors.currentPassword = 'Enter your current password.';
    // The API's schema for a presented password: the same bound, in UTF-16 units.
    else if (!loginPasswordSchema.safeParse(currentPassword).success)
      errors.currentPassword = 'That password is too long or not valid.';
    if (!newPassword) errors.newPassword = 'Enter a new password.';
    else checkField(errors, 'newPassword', 'New password', passwordSchema, newPassword);
    if (Object.keys(errors).length > 0) return renderAccount(c, auth, { errors }, 400);
    try {
      await changePassword(c.var.services, auth, { currentPassword, newPassword });
    } catch (error) {
      const failure = failureFrom(error, {
        currentPassword: { input: 'currentPassword', label: 'Current password' },
        newPassword: { input: 'newPassword', label: 'New password' },
      });
      return renderAccount(c, auth, { errors: failure.errors }, failure.status === 401 ? 401 : 400);
    }
    // The change signed out every other session; this browser's stays.
    return c.redirect('/account?notice=password-changed', 303);
  })
  .route(
    '/',
    identityRemovalPage(async (c, errors, status) => {
      const auth = await currentSession(c);
      return auth ? renderAccount(c, auth, { errors }, status) : loginRedirect(c);
    }),
  )
  .route(
    '/',
    passkeyPages(async (c, errors, status) => {
      const auth = await currentSession(c);
      return auth ? renderAccount(c, auth, { errors }, status) : loginRedirect(c);
    }),
  );
