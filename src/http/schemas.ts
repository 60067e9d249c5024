// Request bodies and queries, as zod schemas. They validate every request and are the single
// source of the API's input contract. Objects are strict: an unknown field (`emailVerified`,
// `role`, ...) is refused, so nothing can be mass-assigned.
import * as z from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH_FLOOR, countPasswordCharacters } from '../core/password-policy';


const noNul = (value: string) => !value.includes('\0');

/** Text with bounded length and no NUL bytes; NULs truncate strings in some C-based tooling. */
const text = (max: number) => z.string().max(max).refine(noNul, 'must not contain NUL characters');

export const usernameSchema = text(64)
  .transform((value) => value.trim().normalize('NFKC').toLowerCase())
  .pipe(
    z
      .string()
      .regex(/^[a-z0-9_.-]{3,32}$/, 'must be 3 to 32 characters of a-z, 0-9, "_", "." and "-"'),
  );

export const emailSchema = text(320)
  .transform((value) => value.trim().toLowerCase())
  .pipe(z.email('must be an email address').max(254));

// Length is counted in Unicode code points after NFC (as the hash sees it), not UTF-16 units, and
// the password is never truncated. The deployment's own minimum and the rest of the policy
// (common passwords, username or email inside) are checked by the flows.
export const passwordSchema = text(PASSWORD_MAX_LENGTH * 4).refine((value) => {
  const length = countPasswordCharacters(value);
  return length >= PASSWORD_MIN_LENGTH_FLOOR && length <= PASSWORD_MAX_LENGTH;
}, `must be ${PASSWORD_MIN_LENGTH_FLOOR} to ${PASSWORD_MAX_LENGTH} characters`);

/** Any presented secret; its validity is the flow's business, so only the size is bounded. */
const tokenSchema = text(512).min(1, 'is required');

export const registerBody = z.strictObject({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  displayName: text(100).optional(),
});

export const loginBody = z
  .strictObject({
    identifier: text(320).min(1).optional(),
    username: text(320).min(1).optional(),
    email: text(320).min(1).optional(),
    password: text(PASSWORD_MAX_LENGTH * 4).min(1, 'is required'),
  })
  .transform((body, ctx) => {
    const given = [body.identifier, body.username, body.email].filter((value) => value !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['identifier'], message: 'give exactly one of identifier, username or email' });
      return z.NEVER;
    }
    return { identifier: given[0]!.trim(), password: body.password };
  });

export const tokenBody = z.strictObject({ token: tokenSchema });
export const emailBody = z.strictObject({ email: emailSchema });
// Browsers may leave the token out and send the refresh cookie instead.
export const refreshBody = z.strictObject({ refreshToken: tokenSchema.optional() });
export const resetPasswordBody = z.strictObject({ token: tokenSchema, password: passwordSchema });
export const tokenQuery = z.object({ token: tokenSchema.optional() });
export const changePasswordBody = z.strictObject({
  currentPassword: text(PASSWORD_MAX_LENGTH * 4).min(1, 'is required'),
  newPassword: passwordSchema,
});
export const confirmPasswordBody = z.strictObject({ password: text(PASSWORD_MAX_LENGTH * 4).min(1, 'is required') });
export const sessionIdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a session id') });
