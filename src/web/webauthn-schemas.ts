// The WebAuthn Level 3 JSON forms of passkey responses (`PublicKeyCredential.toJSON()`). Only
// their shape is checked here; every binary field and flag is checked by src/core/passkeys/webauthn.
// Unknown members (extensions) are allowed, as browsers add them.
import * as z from '../zod';

const base64Url = (max: number) =>
  z.string().check(z.minLength(1, 'is required'), z.maxLength(max), z.regex(/^[A-Za-z0-9_-]*$/, 'must be base64url'));

export const challengeIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a challenge id'));

const credentialFields = {
  id: base64Url(1366),
  rawId: base64Url(1366),
  type: z.literal('public-key'),
  authenticatorAttachment: z.optional(z.nullable(z.string().check(z.maxLength(32)))),
  clientExtensionResults: z.optional(z.record(z.string(), z.unknown())),
};

export const registrationResponseSchema = z.looseObject({
  ...credentialFields,
  response: z.looseObject({
    clientDataJSON: base64Url(4096),
    attestationObject: base64Url(8192),
    transports: z.optional(z.array(z.string().check(z.maxLength(32))).check(z.maxLength(10))),
  }),
});

export const authenticationResponseSchema = z.looseObject({
  ...credentialFields,
  response: z.looseObject({
    clientDataJSON: base64Url(4096),
    authenticatorData: base64Url(4096),
    signature: base64Url(2048),
    userHandle: z.optional(z.nullable(z.string().check(z.maxLength(128)))),
  }),
});
