// OAUTH_PROVIDERS and each provider's OAUTH_<ID>_* settings, read once by src/config.ts. An id
// that is not a preset is a generic OpenID Connect provider found by discovery from its issuer.
// Every problem is named (the setting, never its value), so a bad configuration fails closed.

export const PRESET_IDS = ['google', 'microsoft', 'apple', 'github'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

interface CommonSetting {
  id: string;
  name: string;
  clientId: string;
}

/** An OpenID Connect provider: a generic one, or the Google, Microsoft and Apple presets. */
export interface OidcProviderSetting extends CommonSetting {
  kind: 'oidc';
  preset: 'google' | 'microsoft' | 'apple' | null;
  issuer: string;
  clientSecret: string;
  /** Plain http is allowed only in development (a local test provider). */
  allowHttp: boolean;
  /** Microsoft's multi-tenant issuers (`common`, `organizations`, `consumers`): `iss` is per tenant. */
  multiTenant: boolean;
  /** Apple: the client secret is a JWT signed with this key; the callback comes as a form POST. */
  apple?: { teamId: string; keyId: string; privateKey: string };
}

/** GitHub: OAuth 2 without OpenID Connect; the verified primary address comes from its emails API. */
export interface GithubProviderSetting extends CommonSetting {
  kind: 'github';
  clientSecret: string;
}

export type OutsideProviderSetting = OidcProviderSetting | GithubProviderSetting;

const ID_PATTERN = /^[a-z][a-z0-9]{0,31}$/;
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);

export type ProviderSettingsResult =
  { ok: true; providers: OutsideProviderSetting[] } | { ok: false; problems: string[] };

export function readOutsideProviderSettings(
  env: Record<string, unknown>,
  environment: 'development' | 'production',
): ProviderSettingsResult {
  const problems: string[] = [];
  const listed = typeof env.OAUTH_PROVIDERS === 'string' ? env.OAUTH_PROVIDERS : '';
  const ids = listed
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const providers: OutsideProviderSetting[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    if (!ID_PATTERN.test(id)) {
      problems.push(`OAUTH_PROVIDERS lists an id that is not 1 to 32 lowercase letters and digits`);
      continue;
    }
    if (seen.has(id)) {
      problems.push(`OAUTH_PROVIDERS lists ${id} twice`);
      continue;
    }
    seen.add(id);
    const prefix = `OAUTH_${id.toUpperCase()}_`;
    const read = (name: string) => {
      const value = env[prefix + name];
      return typeof value === 'string' && value.trim() ? value.trim() : undefined;
    };
    const required = (name: string) => {
      const value = read(name);
      if (!value) problems.push(`${prefix}${name} is required`);
      return value ?? '';
    };
    const clientId = required('CLIENT_ID');
    if (id === 'github') {
      providers.push({
        kind: 'github',
        id,
        name: read('NAME') ?? 'GitHub',
        clientId,
        clientSecret: required('CLIENT_SECRET'),
      });
      continue;
    }
    if (id === 'apple') {
      const privateKey = required('PRIVATE_KEY');
      if (privateKey && !privateKey.includes('BEGIN PRIVATE KEY')) {
        problems.push(`${prefix}PRIVATE_KEY must be the PKCS #8 key (.p8) Apple gave, in PEM`);
      }
      providers.push({
        kind: 'oidc',
        preset: 'apple',
        id,
        name: read('NAME') ?? 'Apple',
        clientId,
        clientSecret: '',
        issuer: 'https://appleid.apple.com',
        allowHttp: false,
        multiTenant: false,
        apple: { teamId: required('TEAM_ID'), keyId: required('KEY_ID'), privateKey },
      });
      continue;
    }
    const clientSecret = required('CLIENT_SECRET');
    let issuer: string;
    let preset: OidcProviderSetting['preset'] = null;
    let multiTenant = false;
    if (id === 'google') {
      preset = 'google';
      issuer = 'https://accounts.google.com';
    } else if (id === 'microsoft') {
      preset = 'microsoft';
      const tenant = read('TENANT') ?? 'common';
      if (!/^[A-Za-z0-9.-]{1,64}$/.test(tenant)) problems.push(`${prefix}TENANT must be a tenant id or domain`);
      multiTenant = MULTI_TENANT.has(tenant);
      issuer = `https://login.microsoftonline.com/${tenant}/v2.0`;
    } else {
      issuer = required('ISSUER');
      if (issuer && !validIssuer(issuer, environment)) {
        problems.push(
          environment === 'production'
            ? `${prefix}ISSUER must be an https URL without query or fragment`
            : `${prefix}ISSUER must be an http(s) URL without query or fragment`,
        );
      }
    }
    providers.push({
      kind: 'oidc',
      preset,
      id,
      name: read('NAME') ?? defaultName(id),
      clientId,
      clientSecret,
      issuer,
      allowHttp: environment === 'development' && issuer.startsWith('http:'),
      multiTenant,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, providers };
}

function validIssuer(issuer: string, environment: string): boolean {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return false;
  }
  if (url.search || url.hash || url.username || url.password) return false;
  return url.protocol === 'https:' || (environment === 'development' && url.protocol === 'http:');
}

function defaultName(id: string): string {
  if (id === 'google') return 'Google';
  if (id === 'microsoft') return 'Microsoft';
  return id.charAt(0).toUpperCase() + id.slice(1);
}
