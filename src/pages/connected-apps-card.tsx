// The "Connected apps" card of /account: the apps this person let sign them in through Latchkey
// (OpenID Provider grants), with what each may see and a Disconnect button that ends the app's
// tokens at once (POST /oauth2/disconnect, a form of Latchkey's own under the CSRF checks).
import type { ConnectedApp } from '../core/oauth-server/grant-access';
import { ActionRow, Card } from './layout';

export function ConnectedAppsCard(props: { apps: ConnectedApp[] }) {
  if (props.apps.length === 0) return null;
  return (
    <Card title="Connected apps" heading="h2" labelledBy="connected-apps-heading">
      <p class="hint">Apps you signed in to with this account. Disconnect one to sign it out everywhere.</p>
      <ul class="plain">
        {props.apps.map((app) => (
          <ActionRow
            title={app.name}
            meta={`May see: ${app.scopes.join(', ')} · since ${app.grantedAt.slice(0, 10)}`}
            action="/oauth2/disconnect"
            field="client_id"
            value={app.clientId}
            button="Disconnect"
            label={`Disconnect ${app.name}`}
          />
        ))}
      </ul>
    </Card>
  );
}
