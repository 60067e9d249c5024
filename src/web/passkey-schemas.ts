// Request bodies of the passkey routes. The credential objects follow the WebAuthn Level 3 JSON
// forms (`PublicKeyCredential.toJSON()`); only their shape is checked here, every binary field
// and flag is checked by src/core/webauthn. Unknown members (extensions) are allowed there, as
// browsers add them.
import * as z from '../zod';
import { loginPasswordSchema, secondFactorCodeSchema } from './schemas';

const base64Url = (max: number) =>
  z.string().check(z.minLength(1, 'is required'), z.maxLength(max), z.regex(/^[A-Za-z0-9_-]*$/, 'must be base64url'));

const challengeId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a challenge id'));

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

export const passkeyNameSchema = z.pipe(
  z.string().check(z.trim()),
  z
    .string()
    .check(
      z.minLength(1, 'is required'),
      z.maxLength(64),
      z.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
    ),
);

/** The password, and with two-step sign-in on, a code (TOTP or recovery code) too. */
export const passkeyPasswordBody = z.strictObject({
  password: loginPasswordSchema,
  code: z.optional(secondFactorCodeSchema),
});
export const passkeyRegistrationBody = z.strictObject({
  challengeId,
  credential: registrationResponseSchema,
  name: z.optional(passkeyNameSchema),
});
export const passkeySignInOptionsBody = z.strictObject({});
export const passkeySignInBody = z.strictObject({ challengeId, credential: authenticationResponseSchema });
export const passkeyRenameBody = z.strictObject({ name: passkeyNameSchema });
export const passkeyIdParam = z.object({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a passkey id')),
});
