// The configured outside providers, made once per isolate from the settings: generic OpenID
// Connect providers and the Google, Microsoft and Apple presets on one client, GitHub on its own.
import type { Clock } from '../core/kit/clock';
import type { OutsideProvider, OutsideProviders } from '../core/identities/outside-provider';
import { appleClientSecret } from './apple-client-secret';
import { createGithubProvider } from './github';
import { createOidcProvider } from './oidc-client';
import type { OutsideProviderSetting } from './provider-settings';

export function createOutsideProviders(
  settings: readonly OutsideProviderSetting[],
  options: { fetch: typeof fetch; clock: Clock },
): OutsideProviders {
  const providers = new Map<string, OutsideProvider>();
  for (const setting of settings) {
    if (setting.kind === 'github') {
      providers.set(setting.id, createGithubProvider(setting, options));
    } else if (setting.apple) {
      providers.set(
        setting.id,
        createOidcProvider(setting, {
          ...options,
          clientSecret: appleClientSecret({ clientId: setting.clientId, ...setting.apple }, options.clock),
          tokenEndpointAuth: 'client_secret_post',
          // Apple posts the callback when the name or email scope is asked for.
          authorizationParameters: { response_mode: 'form_post' },
          scope: 'openid email name',
        }),
      );
    } else {
      providers.set(setting.id, createOidcProvider(setting, options));
    }
  }
  return {
    list: () => [...providers.values()].map(({ id, name }) => ({ id, name })),
    find: (id) => providers.get(id) ?? null,
  };
}
