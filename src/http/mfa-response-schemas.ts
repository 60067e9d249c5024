// Response bodies of the two-step sign-in routes, for the OpenAPI document.
import * as z from 'zod';

export const totpSetupSchema = z.strictObject({
  secret: z.string().meta({ description: 'The 160-bit secret in RFC 4648 base32 without padding, for manual entry.' }),
  otpauthUri: z
    .string()
    .meta({ description: 'The `otpauth://totp/...` URI an authenticator app reads from a QR code.' }),
});

export const recoveryCodesSchema = z.strictObject({
  recoveryCodes: z
    .array(z.string())
    .meta({ description: 'Ten single-use codes, shown this once; accepted with or without hyphens, in any case.' }),
});

export const mfaStatusSchema = z.strictObject({
  totp: z.strictObject({ enabled: z.boolean(), enabledAt: z.string().nullable() }),
  recoveryCodes: z.strictObject({ remaining: z.int() }),
});
