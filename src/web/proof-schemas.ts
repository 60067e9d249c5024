// Request bodies of the changes that re-authenticate the signed-in user first
// (src/core/sessions/reauthentication.ts): the password (with two-step sign-in on, and a `code`), or
// instead `passkey`, an assertion of one of the user's passkeys answering the challenge of
// POST /auth/passkeys/reauthentication/options. Which is needed is the flow's business (an account
// without a password confirms with a passkey), so each is optional here.
import * as z from '../zod';
import { emailSchema, loginPasswordSchema, passwordSchema, secondFactorCodeSchema } from './schemas';
import { authenticationResponseSchema, challengeIdSchema } from './webauthn-schemas';

const passkeyProof = z.strictObject({ challengeId: challengeIdSchema, credential: authenticationResponseSchema });

const proofFields = {
  password: z.optional(loginPasswordSchema),
  /** With two-step sign-in on, a TOTP or recovery code besides the password. */
  code: z.optional(secondFactorCodeSchema),
  passkey: z.optional(passkeyProof),
};

/** DELETE /me, adding or removing a passkey, setting up TOTP. */
export const reauthenticationBody = z.strictObject(proofFields);

export const changeEmailBody = z.strictObject({ ...proofFields, newEmail: emailSchema });

/** No code: a new password does not get around the second factor. */
export const changePasswordBody = z.strictObject({
  currentPassword: z.optional(loginPasswordSchema),
  passkey: z.optional(passkeyProof),
  newPassword: passwordSchema,
});

/** Changes of the second factor itself: the password takes a code, always. */
export const passwordAndCodeBody = z.pipe(
  z.strictObject(proofFields),
  z.transform((body, ctx) => {
    if (body.password !== undefined && body.code === undefined) {
      ctx.issues.push({ code: 'custom', path: ['code'], message: 'is required', input: body });
      return z.NEVER;
    }
    return body;
  }),
);
