// Request bodies and queries, as zod schemas. They validate every request and are the single
// source of the API's input contract. Objects are strict: an unknown field (`emailVerified`,
// `role`, ...) is refused, so nothing can be mass-assigned.
import * as z from '../zod';
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH_FLOOR,
  countPasswordCharacters,
} from '../core/passwords/password-policy';

const noNul = (value: string) => !value.includes('\0');

/** Text with bounded length and no NUL bytes; NULs truncate strings in some C-based tooling. */
const text = (max: number) => z.string().check(z.maxLength(max), z.refine(noNul, 'must not contain NUL characters'));

/** Present and non-empty. */
const required = () => z.minLength(1, 'is required');

export const usernameSchema = z.pipe(
  z.pipe(
    text(64),
    z.transform((value) => value.trim().normalize('NFKC').toLowerCase()),
  ),
  z.string().check(z.regex(/^[a-z0-9_.-]{3,32}$/, 'must be 3 to 32 characters of a-z, 0-9, "_", "." and "-"')),
);

export const emailSchema = z.pipe(
  z.pipe(
    text(320),
    z.transform((value) => value.trim().toLowerCase()),
  ),
  z.email('must be an email address').check(z.maxLength(254)),
);

// Length is counted in Unicode code points after NFC (as the hash sees it), not UTF-16 units, and
// the password is never truncated. The deployment's own minimum and the rest of the policy
// (common passwords, username or email inside) are checked by the flows.
export const passwordSchema = text(PASSWORD_MAX_LENGTH * 4).check(
  z.refine((value) => {
    const length = countPasswordCharacters(value);
    return length >= PASSWORD_MIN_LENGTH_FLOOR && length <= PASSWORD_MAX_LENGTH;
  }, `must be ${PASSWORD_MIN_LENGTH_FLOOR} to ${PASSWORD_MAX_LENGTH} characters`),
);

/** Any presented secret; its validity is the flow's business, so only the size is bounded. */
export const tokenSchema = text(512).check(required());

export const registerBody = z.strictObject({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  displayName: z.optional(text(100)),
});

/** A login's username or email: only bounded here; the flow looks it up. */
export const loginIdentifierSchema = text(320).check(z.minLength(1));
/**
 * A presented password: bounded in UTF-16 units like every text field (the policy's limit in code
 * points is for new passwords), so an old password is never refused for the current policy.
 */
export const loginPasswordSchema = text(PASSWORD_MAX_LENGTH * 4).check(required());

export const loginBody = z.pipe(
  z.strictObject({
    identifier: z.optional(loginIdentifierSchema),
    username: z.optional(loginIdentifierSchema),
    email: z.optional(loginIdentifierSchema),
    password: loginPasswordSchema,
  }),
  z.transform((body, ctx) => {
    const given = [body.identifier, body.username, body.email].filter((value) => value !== undefined);
    if (given.length !== 1) {
      ctx.issues.push({
        code: 'custom',
        path: ['identifier'],
        message: 'give exactly one of identifier, username or email',
        input: body,
      });
      return z.NEVER;
    }
    return { identifier: given[0]!.trim(), password: body.password };
  }),
);

export const tokenBody = z.strictObject({ token: tokenSchema });
export const emailBody = z.strictObject({ email: emailSchema });
// Browsers may leave the token out and send the refresh cookie instead.
export const refreshBody = z.strictObject({ refreshToken: z.optional(tokenSchema) });
export const resetPasswordBody = z.strictObject({ token: tokenSchema, password: passwordSchema });

/** A TOTP code or a recovery code: only bounded here; which one it is is the flow's business. */
export const secondFactorCodeSchema = z.string().check(z.minLength(1, 'is required'), z.maxLength(64));

export const sessionIdParam = z.object({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a session id')),
});

/** A user id in an admin route: a UUID as register makes them, anything else is no user. */
export const userIdParam = z.object({
  id: z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/, 'is not a user id')),
});

export const adminUsersQuery = z.strictObject({
  query: z._default(text(254), ''),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50),
  cursor: z.optional(text(512)),
});
