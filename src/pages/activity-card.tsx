// The "Recent security activity" card of /account: the account's own events of the last 90 days
// (src/core/events/activity.ts), newest first, in plain words, so a person notices a sign-in or a
// change they did not make. The sessions card above it is where they act on one.
import type { ActivityEntry } from '../core/events/activity';
import type { EventType } from '../core/events/catalogue';
import { Card } from './layout';

const methodWords: Record<string, string> = {
  password: 'a password',
  totp: 'a password and an authenticator code',
  recovery_code: 'a password and a recovery code',
  passkey: 'a passkey',
  sign_up: 'a new account',
  email_link: 'an emailed link',
  email_code: 'an emailed code',
  oauth: 'an outside account',
};

const labels: Record<EventType, (details: ActivityEntry['details']) => string> = {
  'user.created': () => 'Account created',
  'user.email_verified': () => 'Email address verified',
  'user.email_changed': () => 'Email address changed',
  'user.password_changed': () => 'Password changed',
  'user.password_reset': () => 'Password reset by email',
  'user.disabled': () => 'Account disabled by support',
  'user.enabled': () => 'Account enabled by support',
  'user.deleted': () => 'Account deleted',
  'session.created': (details) => {
    const method = typeof details.method === 'string' ? methodWords[details.method] : undefined;
    return method ? `Signed in with ${method}` : 'Signed in';
  },
  'session.revoked': (details) => (details.all ? 'Signed out everywhere' : 'Signed out a session'),
  'mfa.enabled': () => 'Two-step sign-in turned on',
  'mfa.disabled': (details) =>
    details.by === 'admin' ? 'Two-step sign-in removed by support' : 'Two-step sign-in turned off',
  'passkey.added': (details) =>
    typeof details.name === 'string' ? `Passkey "${details.name}" added` : 'Passkey added',
  'passkey.removed': () => 'Passkey removed',
  'identity.linked': (details) =>
    typeof details.providerName === 'string'
      ? `${details.providerName} account connected`
      : 'Outside account connected',
  'identity.unlinked': (details) =>
    typeof details.providerName === 'string'
      ? `${details.providerName} account disconnected`
      : 'Outside account disconnected',
  'consent.granted': (details) =>
    typeof details.clientName === 'string' ? `${details.clientName} connected` : 'App connected',
  'consent.revoked': (details) =>
    typeof details.clientName === 'string' ? `${details.clientName} disconnected` : 'App disconnected',
};

/** The label of an entry; types added by later features fall back to their name. */
export function describeActivity(entry: ActivityEntry): string {
  return labels[entry.type]?.(entry.details) ?? entry.type;
}

export function ActivityCard(props: { activity: ActivityEntry[] }) {
  return (
    <Card title="Recent security activity" heading="h2" labelledBy="activity-heading">
      <p class="hint">What happened to your account in the last 90 days, newest first.</p>
      {props.activity.length === 0 ? (
        <p>Nothing yet.</p>
      ) : (
        <ul class="plain" data-testid="activity">
          {props.activity.map((entry) => (
            <li class="activity">
              <div>
                <div>{describeActivity(entry)}</div>
                <div class="session-meta">
                  <time datetime={entry.timestamp}>{entry.timestamp.slice(0, 16).replace('T', ' ')} UTC</time>
                  {typeof entry.details.device === 'string' ? ` · ${entry.details.device}` : ''}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
