// The "Connected apps" card of /account: the apps this person let sign them in through Latchkey
// (OpenID Provider grants), with what each may see and a Disconnect button that ends the app's
// tokens at once (POST /oauth2/disconnect, a form of Latchkey's own under the CSRF checks).
import type { ConnectedApp } from '../core/oauth-server/grant-access';
import { Card, CsrfField } from './layout';

export function ConnectedAppsCard(props: { apps: ConnectedApp[] }) {
  if (props.apps.length === 0) return null;
  return (
    <Card title="Connected apps" heading="h2" labelledBy="connected-apps-heading">
      <p class="hint">Apps you signed in to with this account. Disconnect one to sign it out everywhere.</p>
      <ul class="plain">
        {props.apps.map((app) => (
          <li class="session">
            <div>
              <div>{app.name}</div>
              <div class="session-meta">
                May see: {app.scopes.join(', ')} · since {app.grantedAt.slice(0, 10)}
              </div>
            </div>
            <form method="post" action="/oauth2/disconnect" class="inline">
              <CsrfField />
              <input type="hidden" name="client_id" value={app.clientId} />
              <button type="submit" class="secondary" aria-label={`Disconnect ${app.name}`}>
                Disconnect
              </button>
            </form>
          </li>
        ))}
      </ul>
    </Card>
  );
}
