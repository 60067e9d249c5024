// Request bodies of two-step sign-in. A code is only bounded here: whether it is a TOTP code or a
// recovery code (with or without separators, any case) is the flow's business.
import * as z from '../zod';
import { secondFactorCodeSchema as codeSchema } from './schemas';

export const totpConfirmBody = z.strictObject({ code: codeSchema });
export const mfaVerifyBody = z.strictObject({
  mfaToken: z.string().check(z.minLength(1, 'is required'), z.maxLength(128)),
  code: codeSchema,
});
