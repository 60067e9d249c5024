// Response bodies, as zod schemas. They are the output half of the API contract: the OpenAPI
// document is generated from them, and the contract test checks real responses against that
// document. Objects are strict so an undocumented field in a response fails the contract test
// instead of leaking quietly into clients.
import * as z from 'zod';
import type { JSONWebKeySet } from 'jose';
import type { TokenResponse } from '../core/sessions/session-flows';
import type { ErrorCode } from '../core/kit/errors';
import type { AdminUser, AdminUserDetail } from '../core/admin/admin';
import type { PublicUser } from '../core/accounts/users';
import { type ProblemDocument, problemCatalogue } from '../web/problem';

export const publicUserSchema = z.strictObject({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  displayName: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

export const userEnvelopeSchema = z.strictObject({ user: publicUserSchema });

export const tokenResponseSchema = z.strictObject({
  accessToken: z.string().meta({ description: 'An ES256 JWT (`typ: at+jwt`); send it as `Authorization: Bearer`.' }),
  tokenType: z.literal('Bearer'),
  expiresIn: z.int().positive().meta({ description: 'Seconds until the access token expires.' }),
  refreshToken: z.string().meta({ description: 'Single use: each refresh answers a new one.' }),
  user: publicUserSchema,
});

/** The `{status}` acknowledgement of a route that has nothing else to say. */
export const statusSchema = <const S extends string>(status: S) => z.strictObject({ status: z.literal(status) });
export const acceptedSchema = statusSchema('accepted');
export const passwordResetSchema = statusSchema('password_reset');
export const healthSchema = statusSchema('ok');
export const readinessSchema = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  d1: z.enum(['ok', 'down']),
  kv: z.enum(['ok', 'down']),
});
export const passwordChangedSchema = statusSchema('password_changed');

export const sessionListSchema = z.strictObject({
  sessions: z.array(
    z.strictObject({
      id: z.string(),
      createdAt: z.iso.datetime(),
      lastUsedAt: z.iso.datetime(),
      userAgent: z.string().meta({ description: 'A short description of the client, e.g. "Firefox on Linux".' }),
      current: z.boolean().meta({ description: 'Whether this is the session of the calling token.' }),
    }),
  ),
});

export const adminUserSchema = z.strictObject({
  ...publicUserSchema.shape,
  disabled: z.boolean(),
  disabledAt: z.iso.datetime().nullable(),
});
export const adminUserEnvelopeSchema = z.strictObject({ user: adminUserSchema });
export const adminUserDetailSchema = z.strictObject({
  ...adminUserSchema.shape,
  sessionCount: z.int().nonnegative().meta({ description: 'Live sessions of the user.' }),
  factors: z.array(z.string()).meta({ description: 'Sign-in factors set up, e.g. `password`, `totp`.' }),
});
export const adminUserListSchema = z.strictObject({
  users: z.array(adminUserSchema),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
});

export const errorCodes = Object.keys(problemCatalogue) as [ErrorCode, ...ErrorCode[]];

export const problemSchema = z.strictObject({
  type: z.string().meta({ description: '`urn:latchkey:problem:<code>`' }),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.enum(errorCodes).meta({ description: 'Stable and machine-readable: branch on this, not on the text.' }),
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
  // Extension members of `mfa_required` (RFC 9457 section 3.2): the second step of the sign-in.
  mfaToken: z.string().optional().meta({ description: 'With `mfa_required`: send it to POST /auth/mfa/verify.' }),
  methods: z
    .array(z.enum(['totp', 'recovery_code']))
    .optional()
    .meta({ description: 'With `mfa_required`: the kinds of code the account accepts.' }),
});

export const jwksSchema = z.strictObject({
  keys: z.array(
    z.union([
      z.strictObject({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        kid: z.string(),
        alg: z.literal('ES256'),
        use: z.literal('sig'),
      }),
      // The OpenID Provider's ID-token keys (docs/openid-provider.md).
      z.strictObject({
        kty: z.literal('RSA'),
        n: z.string(),
        e: z.string(),
        kid: z.string(),
        alg: z.literal('RS256'),
        use: z.literal('sig'),
      }),
    ]),
  ),
});

// Compile-time ties to the types the handlers return: if PublicUser, TokenResponse or the problem
// document gains a field, these stop compiling until the schema (and so the document) has it too.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _publicUser: Same<z.output<typeof publicUserSchema>, PublicUser> = true;
const _tokenResponse: Same<z.output<typeof tokenResponseSchema>, TokenResponse> = true;
const _problem: Same<z.output<typeof problemSchema>, ProblemDocument> = true;
const _jwks: z.output<typeof jwksSchema> extends JSONWebKeySet ? true : false = true;
const _adminUser: Same<z.output<typeof adminUserSchema>, AdminUser> = true;
const _adminUserDetail: Same<z.output<typeof adminUserDetailSchema>, AdminUserDetail> = true;
