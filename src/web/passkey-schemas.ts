// Request bodies of the passkey routes. The credential objects follow the WebAuthn Level 3 JSON
// forms (`PublicKeyCredential.toJSON()`); only their shape is checked here, every binary field
// and flag is checked by src/core/passkeys/webauthn. Unknown members (extensions) are allowed there, as
// browsers add them.
import * as z from '../zod';
import { authenticationResponseSchema, challengeIdSchema, registrationResponseSchema } from './webauthn-schemas';

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

export const passkeyRegistrationBody = z.strictObject({
  challengeId: challengeIdSchema,
  credential: registrationResponseSchema,
  name: z.optional(passkeyNameSchema),
});
export const passkeySignInOptionsBody = z.strictObject({});
export const passkeySignInBody = z.strictObject({
  challengeId: challengeIdSchema,
  credential: authenticationResponseSchema,
});
export const passkeyRenameBody = z.strictObject({ name: passkeyNameSchema });
export const passkeyIdParam = z.object({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a passkey id')),
});
