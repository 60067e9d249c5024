// GitHub: OAuth 2, not OpenID Connect. The code is exchanged at its token endpoint (with PKCE,
// which GitHub supports), the subject is the numeric user id from GET /user (stable across
// renames, unlike the login), and the address is the primary one of GET /user/emails, verified
// only when it says so; the profile's public email alone proves nothing.
import * as oauth from 'oauth4webapi';
import type { Clock } from '../core/kit/clock';
import type { OutsideCallbackResult, OutsideProvider } from '../core/identities/outside-provider';
import { failureOf } from './failures';
import type { GithubProviderSetting } from './provider-settings';

const GITHUB: oauth.AuthorizationServer = {
  issuer: 'https://github.com',
  authorization_endpoint: 'https://github.com/login/oauth/authorize',
  token_endpoint: 'https://github.com/login/oauth/access_token',
};
const API = 'https://api.github.com';

interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

export function createGithubProvider(
  setting: GithubProviderSetting,
  options: { fetch: typeof fetch; clock: Clock },
): OutsideProvider {
  const client: oauth.Client = { client_id: setting.clientId };
  const requestOptions = { [oauth.customFetch]: options.fetch };

  async function api<T>(path: string, accessToken: string): Promise<T> {
    const response = await options.fetch(`${API}${path}`, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${accessToken}`,
        'user-agent': 'Latchkey',
        'x-github-api-version': '2022-11-28',
      },
    });
    if (!response.ok) {
      throw new oauth.OperationProcessingError(`GitHub ${path} answered ${response.status}`, {
        cause: { status: response.status },
      });
    }
    return (await response.json()) as T;
  }

  return {
    id: setting.id,
    name: setting.name,

    async authorizationUrl(request) {
      const url = new URL(GITHUB.authorization_endpoint!);
      url.searchParams.set('client_id', setting.clientId);
      url.searchParams.set('redirect_uri', request.redirectUri);
      url.searchParams.set('scope', 'read:user user:email');
      url.searchParams.set('state', request.state);
      url.searchParams.set('code_challenge', request.codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      url.searchParams.set('allow_signup', 'true');
      return url;
    },

    async complete(input): Promise<OutsideCallbackResult> {
      try {
        const parameters = oauth.validateAuthResponse(GITHUB, client, input.callback, input.state);
        const response = await oauth.authorizationCodeGrantRequest(
          GITHUB,
          client,
          oauth.ClientSecretPost(setting.clientSecret),
          parameters,
          input.redirectUri,
          input.codeVerifier,
          requestOptions,
        );
        const tokens = await oauth.processAuthorizationCodeResponse(GITHUB, client, response);
        const user = await api<{ id: number; login: string; name: string | null }>('/user', tokens.access_token);
        const emails = await api<GithubEmail[]>('/user/emails', tokens.access_token);
        if (typeof user.id !== 'number' || !Array.isArray(emails)) {
          throw new oauth.OperationProcessingError('GitHub answered an unexpected shape');
        }
        // The primary address; it counts as verified only when GitHub says so.
        const primary = emails.find((entry) => entry.primary);
        return {
          ok: true,
          claims: {
            subject: String(user.id),
            email: primary ? primary.email.trim().toLowerCase() : null,
            emailVerified: primary?.verified === true,
            preferredUsername: user.login ?? null,
            name: user.name ?? null,
          },
        };
      } catch (error) {
        return failureOf(error, { provider: setting.id });
      }
    },
  };
}
