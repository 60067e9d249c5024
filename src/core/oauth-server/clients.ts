// Registering relying parties, and authenticating them at the token endpoint. Redirect URIs are
// compared exactly (RFC 9700 section 2.1), so registration is where they are judged: absolute,
// https, or http only on a loopback host (RFC 8252 section 7.3), never with a fragment or
// credentials. A client secret is 256 random bits shown once and stored as its digest.
import { AuthError, type FieldIssue } from '../kit/errors';
import { timingSafeEqual } from '../kit/encoding';
import { digestToken, generateToken } from '../kit/random-token';
import type { Clock } from '../kit/clock';
import type { IdTokenAlgorithm, OAuthClient, OAuthClientStore } from './oauth-client-store';

export interface ClientInput {
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | undefined;
  public?: boolean | undefined;
  firstParty?: boolean | undefined;
  idTokenSignedResponseAlg?: IdTokenAlgorithm | undefined;
}

export type ClientChanges = Partial<Omit<ClientInput, 'public'>>;

/** What the admin API shows of a client: never the secret, nor its digest. */
export interface ClientView {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  public: boolean;
  firstParty: boolean;
  idTokenSignedResponseAlg: IdTokenAlgorithm;
  createdAt: string;
  updatedAt: string;
}

export interface ClientDeps {
  oauthClients: OAuthClientStore;
  clock: Clock;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why a redirect URI cannot be registered, or null when it can. */
export function redirectUriProblem(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute URL';
  }
  if (uri.includes('#')) return 'must not have a fragment';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.protocol === 'https:') return null;
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost');
  if (url.protocol === 'http:' && loopback) return null;
  return 'must be https (http only for localhost and loopback addresses)';
}

function checkUris(field: string, uris: readonly string[], issues: FieldIssue[]) {
  uris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem) issues.push({ field: `${field}.${index}`, message: problem });
  });
}

export function toClientView(client: OAuthClient): ClientView {
  return {
    clientId: client.id,
    name: client.name,
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    public: client.public,
    firstParty: client.firstParty,
    idTokenSignedResponseAlg: client.idTokenSignedResponseAlg,
    createdAt: new Date(client.createdAt).toISOString(),
    updatedAt: new Date(client.updatedAt).toISOString(),
  };
}

function refuseBadUris(input: ClientChanges) {
  const issues: FieldIssue[] = [];
  checkUris('redirectUris', input.redirectUris ?? [], issues);
  checkUris('postLogoutRedirectUris', input.postLogoutRedirectUris ?? [], issues);
  if (issues.length > 0) throw new AuthError('validation_failed', 'Some fields are not valid.', issues);
}

export async function registerClient(
  services: ClientDeps,
  input: ClientInput,
): Promise<{ client: ClientView; clientSecret?: string }> {
  refuseBadUris(input);
  const now = services.clock.now();
  const isPublic = input.public ?? false;
  const secret = isPublic ? undefined : generateToken();
  const client: OAuthClient = {
    id: generateToken(18),
    name: input.name,
    secretDigest: secret ? await digestToken(secret) : null,
    redirectUris: input.redirectUris,
    postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
    public: isPublic,
    firstParty: input.firstParty ?? false,
    idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? 'RS256',
    createdAt: now,
    updatedAt: now,
  };
  await services.oauthClients.create(client);
  return secret ? { client: toClientView(client), clientSecret: secret } : { client: toClientView(client) };
}

async function existingClient(services: ClientDeps, id: string): Promise<OAuthClient> {
  const client = await services.oauthClients.find(id);
  if (!client) throw new AuthError('not_found', 'No such client.');
  return client;
}

export async function getClient(services: ClientDeps, id: string): Promise<ClientView> {
  return toClientView(await existingClient(services, id));
}

export async function listClients(services: ClientDeps): Promise<ClientView[]> {
  return (await services.oauthClients.list()).map(toClientView);
}

export async function updateClient(services: ClientDeps, id: string, changes: ClientChanges): Promise<ClientView> {
  refuseBadUris(changes);
  const client = await existingClient(services, id);
  const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  const updated: OAuthClient = { ...client, ...defined, updatedAt: services.clock.now() };
  if (!(await services.oauthClients.update(updated))) throw new AuthError('not_found', 'No such client.');
  return toClientView(updated);
}

export async function deleteClient(services: ClientDeps, id: string): Promise<void> {
  if (!(await services.oauthClients.delete(id))) throw new AuthError('not_found', 'No such client.');
}

/** A new secret for a confidential client; the old one stops working at once. */
export async function rotateClientSecret(services: ClientDeps, id: string): Promise<{ clientSecret: string }> {
  const client = await existingClient(services, id);
  if (client.public) throw new AuthError('conflict', 'A public client has no secret.');
  const clientSecret = generateToken();
  const updated = { ...client, secretDigest: await digestToken(clientSecret), updatedAt: services.clock.now() };
  if (!(await services.oauthClients.update(updated))) throw new AuthError('not_found', 'No such client.');
  return { clientSecret };
}

/**
 * The client a token request authenticates as, or null. A confidential client must present its
 * secret (compared by digest in constant time); a public client presents none.
 */
export async function authenticateClient(
  services: Pick<ClientDeps, 'oauthClients'>,
  credentials: { clientId: string; clientSecret: string | undefined },
): Promise<OAuthClient | null> {
  const client = await services.oauthClients.find(credentials.clientId);
  if (!client) return null;
  if (client.public) return credentials.clientSecret === undefined ? client : null;
  if (credentials.clientSecret === undefined || client.secretDigest === null) return null;
  const encoder = new TextEncoder();
  const presented = encoder.encode(await digestToken(credentials.clientSecret));
  return timingSafeEqual(presented, encoder.encode(client.secretDigest)) ? client : null;
}
