// Latchkey's public keys, cached per isolate. The set is refetched when its copy is older than
// the JWKS max-age, and when a token names a `kid` the copy lacks (a rotation), but not more than
// once per floor: tokens with made-up kids must not turn every request into a fetch to Latchkey.
import {
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  createLocalJWKSet,
  errors,
} from 'jose';

/** Latchkey's keys or revocations could not be read: answer 503, not 401 (which signs users out). */
export class LatchkeyUnavailableError extends Error {
  override readonly name = 'LatchkeyUnavailableError';
}

export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

interface CachedKeys {
  resolve: KeyResolver;
  fetchedAt: number;
  expiresAt: number;
}

export interface KeySetOptions {
  /** Answers Latchkey's `GET /.well-known/jwks.json`. */
  fetchKeySet: () => Promise<Response>;
  now: () => number;
  maxAgeMs: number;
  refetchFloorMs: number;
}

export function createKeyResolver(options: KeySetOptions): KeyResolver {
  const { fetchKeySet, now, maxAgeMs, refetchFloorMs } = options;
  let cached: CachedKeys | undefined;
  // Requests arriving together share one fetch.
  let inFlight: Promise<CachedKeys> | undefined;

  async function fetchKeys(): Promise<CachedKeys> {
    const fetchedAt = now();
    let response: Response;
    try {
      response = await fetchKeySet();
    } catch (cause) {
      throw new LatchkeyUnavailableError('the JWKS could not be fetched', { cause });
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new LatchkeyUnavailableError(`the JWKS answered ${response.status}`);
    }
    let resolve: KeyResolver;
    try {
      resolve = createLocalJWKSet((await response.json()) as JSONWebKeySet) as KeyResolver;
    } catch (cause) {
      throw new LatchkeyUnavailableError('the JWKS is not a key set', { cause });
    }
    // A copy served from an HTTP cache has already spent part of its max-age (RFC 9111 `Age`), so
    // no verifier keeps keys longer than the max-age plus stale-while-revalidate Latchkey states.
    const ageMs = (Number(response.headers.get('age')) || 0) * 1000;
    cached = { resolve, fetchedAt, expiresAt: fetchedAt + Math.max(0, maxAgeMs - ageMs) };
    return cached;
  }

  function refetch(): Promise<CachedKeys> {
    inFlight ??= fetchKeys().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return async (header, token) => {
    const current = cached && now() < cached.expiresAt ? cached : await refetch();
    try {
      return await current.resolve(header, token);
    } catch (error) {
      const unknownKid = error instanceof errors.JWKSNoMatchingKey;
      if (!unknownKid || now() - current.fetchedAt < refetchFloorMs) throw error;
      return (await refetch()).resolve(header, token);
    }
  };
}
