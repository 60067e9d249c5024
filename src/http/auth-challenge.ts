// The WWW-Authenticate policy. RFC 9110 section 15.5.2: every 401 MUST carry a challenge, so a
// client always learns how to authenticate; RFC 6750 section 3: the challenge is Bearer, with
// error="invalid_token" when the request carried a token that was refused, and without an error
// code when it carried none (so a client tells "sign in" from "refresh your token").
import { createMiddleware } from 'hono/factory';

export const BEARER_CHALLENGE = 'Bearer';
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/** Adds the plain Bearer challenge to any 401 that did not set a more precise one. */
export const challengeEvery401 = createMiddleware(async (c, next) => {
  await next();
  if (c.res.status === 401 && !c.res.headers.has('www-authenticate')) {
    c.res.headers.set('www-authenticate', BEARER_CHALLENGE);
  }
});
