// Request bodies of sign-in by email. Asking takes the address (and, to create an account, a
// username); verifying takes the link's token, or the address and the mailed code.
import * as z from '../zod';
import { emailSchema, tokenSchema, usernameSchema } from './schemas';

export const emailSignInBody = z.pipe(
  z.strictObject({
    email: emailSchema,
    /** Create a passwordless account at the first verify when the address has none. */
    createAccount: z.optional(z.boolean()),
    username: z.optional(usernameSchema),
  }),
  z.transform((body, ctx) => {
    if (body.createAccount && body.username === undefined) {
      ctx.issues.push({ code: 'custom', path: ['username'], message: 'is required to create an account', input: body });
      return z.NEVER;
    }
    return body;
  }),
);

const codeSchema = z.string().check(z.trim(), z.regex(/^\d{6}$/, 'must be the 6 digits from the mail'));

export const emailSignInVerifyBody = z.pipe(
  z.strictObject({ token: z.optional(tokenSchema), email: z.optional(emailSchema), code: z.optional(codeSchema) }),
  z.transform((body, ctx) => {
    if (body.token !== undefined && body.email === undefined && body.code === undefined) return { token: body.token };
    if (body.token === undefined && body.email !== undefined && body.code !== undefined) {
      return { email: body.email, code: body.code };
    }
    ctx.issues.push({
      code: 'custom',
      path: ['token'],
      message: 'give either the token of the link, or the email and the code',
      input: body,
    });
    return z.NEVER;
  }),
);
