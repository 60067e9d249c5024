// Response bodies of the passkey routes: the WebAuthn Level 3 JSON options (binary fields as
// unpadded base64url) and the owner's view of a passkey.
import * as z from 'zod';

const base64Url = z.string().meta({ description: 'Unpadded base64url.' });
const descriptor = z.strictObject({
  type: z.literal('public-key'),
  id: base64Url,
  transports: z.array(z.string()).optional(),
});
const challengeId = z.string().meta({ description: 'Send it back with the credential; single use, 5 minutes.' });

export const passkeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
});

export const passkeyEnvelopeSchema = z.strictObject({ passkey: passkeySchema });
export const passkeyListSchema = z.strictObject({ passkeys: z.array(passkeySchema) });

export const passkeyCreationOptionsSchema = z.strictObject({
  challengeId,
  options: z
    .strictObject({
      rp: z.strictObject({ id: z.string(), name: z.string() }),
      user: z.strictObject({
        id: base64Url.meta({ description: 'The user handle: random, never the email.' }),
        name: z.string(),
        displayName: z.string(),
      }),
      challenge: base64Url,
      pubKeyCredParams: z.array(z.strictObject({ type: z.literal('public-key'), alg: z.int() })),
      timeout: z.int(),
      excludeCredentials: z.array(descriptor),
      authenticatorSelection: z.strictObject({
        residentKey: z.literal('required'),
        requireResidentKey: z.literal(true),
        userVerification: z.literal('required'),
      }),
      attestation: z.literal('none'),
    })
    .meta({ description: 'PublicKeyCredentialCreationOptionsJSON: pass to parseCreationOptionsFromJSON.' }),
});

export const passkeyRequestOptionsSchema = z.strictObject({
  challengeId,
  options: z
    .strictObject({
      challenge: base64Url,
      timeout: z.int(),
      rpId: z.string(),
      allowCredentials: z.array(descriptor),
      userVerification: z.literal('required'),
    })
    .meta({ description: 'PublicKeyCredentialRequestOptionsJSON: pass to parseRequestOptionsFromJSON.' }),
});
