// Reading posted forms and turning failures into sentences for people. Pages never show a
// problem document: zod issues and AuthError codes become one message per field, or one for
// the whole form when no field is to blame.
import type { HonoRequest } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as z from 'zod/mini';
import { AuthError } from '../core/kit/errors';
import { problemStatus } from '../web/problem';

export type FieldErrors = Record<string, string>;

export interface FormFailure {
  /** Messages by field name; `form` is the whole form's. */
  errors: FieldErrors;
  /** The code's status from the one catalogue (web/problem.ts), as the API answers it. */
  status: ContentfulStatusCode;
}

/** The text fields of a posted form; a missing or malformed body reads as empty. */
export async function readForm(request: HonoRequest): Promise<Record<string, string>> {
  const body = await request.parseBody().catch(() => ({}));
  return Object.fromEntries(
    Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** Checks one field with its schema; the message is "<Label> <zod message>.", as a sentence. */
export function checkField<T extends z.ZodMiniType>(
  errors: FieldErrors,
  name: string,
  label: string,
  schema: T,
  value: string | undefined,
): z.output<T> | undefined {
  if (!value) {
    errors[name] = `Enter your ${label.toLowerCase()}.`;
    return undefined;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  errors[name] = `${label} ${result.error.issues[0]?.message ?? 'is not valid'}.`;
  return undefined;
}

/**
 * The failure of a flow as page errors. `fields` maps a core field name to the form's input
 * (and its label, to start the sentence); `codeMessages` gives a code its sentence and field.
 * Anything that is not an AuthError is rethrown, for the app's error handler.
 */
export function failureFrom(
  error: unknown,
  fields: Record<string, { input: string; label: string }>,
  codeMessages: Partial<Record<AuthError['code'], { field?: string; message: string }>> = {},
): FormFailure {
  if (!(error instanceof AuthError)) throw error;
  const errors: FieldErrors = {};
  const known = codeMessages[error.code];
  if (known) errors[known.field ?? 'form'] = known.message;
  for (const issue of error.fieldIssues) {
    const target = fields[issue.field];
    if (!target) continue;
    errors[target.input] ??= /^[A-Z]/.test(issue.message)
      ? issue.message
      : `${target.label} ${issue.message.replace(/\.$/, '')}.`;
  }
  if (Object.keys(errors).length === 0) errors.form = error.detail;
  return { errors, status: problemStatus(error.code) };
}
