// An example service that accepts Latchkey access tokens: `GET /whoami` with
// `Authorization: Bearer <access token>` answers the user and session ids, or 401. The checks live
// in Latchkey's `latchkey/verifier` module; this Worker only reads its bindings and answers.
import { type LatchkeyVerifier, LatchkeyUnavailableError, createLatchkeyVerifier } from 'latchkey/verifier';

export interface Env {
  LATCHKEY?: Fetcher;
  LATCHKEY_JWKS_URL?: string;
  LATCHKEY_ISSUER: string;
  LATCHKEY_AUDIENCE: string;
  /** Latchkey's revocation markers: bound, a logout is seen within about a minute, not at expiry. */
  LATCHKEY_REVOCATIONS?: KVNamespace;
}

// One verifier per isolate, not per request: the key cache lives in it, and a verifier per request
// would fetch the JWKS on every request.
const verifiers = new WeakMap<Env, LatchkeyVerifier>();

function verifierFor(env: Env): LatchkeyVerifier {
  let verifier = verifiers.get(env);
  if (!verifier) {
    verifier = createLatchkeyVerifier({
      latchkey: env.LATCHKEY,
      jwksUrl: env.LATCHKEY_JWKS_URL,
      issuer: env.LATCHKEY_ISSUER,
      audience: env.LATCHKEY_AUDIENCE,
      revocations: env.LATCHKEY_REVOCATIONS,
    });
    verifiers.set(env, verifier);
  }
  return verifier;
}

const bearerPattern = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname !== '/whoami') return new Response('Not found', { status: 404 });
    const token = bearerPattern.exec(request.headers.get('authorization') ?? '')?.[1];
    const verify = verifierFor(env);
    let claims;
    try {
      claims = token ? await verify(token) : null;
    } catch (error) {
      if (!(error instanceof LatchkeyUnavailableError)) throw error;
      console.error(JSON.stringify({ event: 'latchkey.unavailable', error: String(error) }));
      return Response.json({ error: 'temporarily_unavailable' }, { status: 503, headers: { 'retry-after': '5' } });
    }
    if (!claims) {
      return Response.json(
        { error: 'invalid_token' },
        { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } },
      );
    }
    return Response.json({ userId: claims.userId, sessionId: claims.sessionId });
  },
} satisfies ExportedHandler<Env>;
