// The port of the OpenID Provider's registered clients (relying parties). A confidential client's
// secret is kept only as its SHA-256 digest; deleting a client deletes its codes, grants, refresh
// tokens and consents with it.

export type IdTokenAlgorithm = 'RS256' | 'ES256';

export interface OAuthClient {
  id: string;
  name: string;
  /** Null for a public client (a browser or native app), which proves itself with PKCE alone. */
  secretDigest: string | null;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  public: boolean;
  /** The deployer's own apps: no consent page. */
  firstParty: boolean;
  idTokenSignedResponseAlg: IdTokenAlgorithm;
  createdAt: number;
  updatedAt: number;
}

export interface OAuthClientStore {
  create(client: OAuthClient): Promise<void>;
  find(id: string): Promise<OAuthClient | null>;
  /** Every client, oldest first. */
  list(): Promise<OAuthClient[]>;
  /** Replaces the stored client; false when there is no such client. */
  update(client: OAuthClient): Promise<boolean>;
  /** Deletes the client and everything issued to it; false when there was none. */
  delete(id: string): Promise<boolean>;
}
