// Generates the OpenAPI 3.1 document from the route table and the zod schemas, so the published
// contract cannot drift from what the handlers validate and answer. Request schemas are rendered
// on their input side (what a client sends, before transforms); responses on their output side.
// Runs at build time, in Node (`npm run openapi:generate`): the worker serves the committed
// public/openapi.json, which keeps zod's JSON Schema code out of its bundle, and
// test-node/openapi-document.test.ts fails when that file differs from a fresh generation.
import * as z from 'zod';
import packageJson from '../../package.json' with { type: 'json' };
import type { ErrorCode } from '../core/kit/errors';
import { type RouteDoc, routeDocs } from './openapi-routes';
import { problemCatalogue } from '../web/problem';
import {
  acceptedSchema,
  healthSchema,
  jwksSchema,
  passwordResetSchema,
  problemSchema,
  publicUserSchema,
  tokenResponseSchema,
  userEnvelopeSchema,
} from './response-schemas';

type JsonSchema = Record<string, unknown>;

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, { schema: JsonSchema }>;
}

export interface OpenApiOperation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: 'query' | 'path'; required: boolean; schema: JsonSchema }[];
  requestBody?: { required: true; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, OpenApiResponse | { $ref: string }>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, OpenApiResponse>;
    securitySchemes: Record<string, JsonSchema>;
  };
}

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Response schemas shared by several routes, under stable names a generated client keeps. */
const namedSchemas: [z.ZodType, string][] = [
  [publicUserSchema, 'PublicUser'],
  [userEnvelopeSchema, 'UserEnvelope'],
  [tokenResponseSchema, 'TokenResponse'],
  [problemSchema, 'Problem'],
  [jwksSchema, 'Jwks'],
  [acceptedSchema, 'Accepted'],
  [passwordResetSchema, 'PasswordReset'],
  [healthSchema, 'Health'],
];

// Any route can answer these; they are not tied to one operation.
const globalResponses = {
  NotFound: 'not_found',
  MethodNotAllowed: 'method_not_allowed',
  Internal: 'internal',
  Unavailable: 'unavailable',
} as const satisfies Record<string, ErrorCode>;

// Inside an OpenAPI document the dialect is implied, and zod's fragment-only `$id`s are not
// valid identifiers in JSON Schema 2020-12.
function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

function requestSchema(schema: z.core.$ZodType): JsonSchema {
  return withoutDialect(z.toJSONSchema(schema, { io: 'input' }) as JsonSchema);
}

function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operationIdOf(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

// allOf rather than keywords beside the $ref: generators such as openapi-typescript ignore those,
// and the narrowed `code` is what lets a typed client switch on it.
function problemContent(codes: ErrorCode[]) {
  const narrowed = { type: 'object', properties: { code: { enum: codes } }, required: ['code'] };
  return { 'application/problem+json': { schema: { allOf: [schemaRef('Problem'), narrowed] } } };
}

/** The problem codes a route can answer, beyond the global ones: declared plus those its shape implies. */
function problemCodesOf(route: RouteDoc): ErrorCode[] {
  const codes = new Set<ErrorCode>(route.problems);
  if (route.body)
    for (const code of ['validation_failed', 'invalid_json', 'unsupported_media_type'] as const) codes.add(code);
  if (route.body) codes.add('payload_too_large');
  if (route.auth) codes.add('unauthorized');
  // Admin routes: 404 while ADMIN_API_KEY is unset, 401 without the key, 429 past the shared limit.
  if (route.admin) for (const code of ['unauthorized', 'not_found', 'rate_limited'] as const) codes.add(code);
  return [...codes];
}

// RFC 9110 section 15.5.2: every 401 carries a challenge (see src/http/auth-challenge.ts).
const challengeHeader = {
  'www-authenticate': {
    description: '`Bearer`, or `Bearer error="invalid_token"` when the request sent a token that was refused.',
    schema: { type: 'string' },
  },
};

function parametersOf(route: RouteDoc): OpenApiOperation['parameters'] {
  const pathParameters = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({
    name: match[1]!,
    in: 'path' as const,
    required: true,
    schema: { type: 'string' },
  }));
  const queryProperties = route.query
    ? ((requestSchema(route.query).properties ?? {}) as Record<string, JsonSchema>)
    : {};
  const queryParameters = Object.entries(queryProperties).map(([name, schema]) => ({
    name,
    in: 'query' as const,
    required: false,
    schema,
  }));
  const parameters = [...pathParameters, ...queryParameters];
  return parameters.length > 0 ? parameters : undefined;
}

/** `rate_limited` -> `RateLimited`: the component name of a problem code's shared response. */
function problemResponseName(code: ErrorCode): string {
  return code.replace(/(^|_)([a-z])/g, (_, _sep: string, letter: string) => letter.toUpperCase());
}

function operationOf(
  route: RouteDoc,
  path: string,
  schemaNameOf: (schema: z.ZodType, fallback: string) => string,
  problemResponses: Map<string, ErrorCode[]>,
) {
  const operationId = operationIdOf(route.method, path);
  const aliasOf = path === route.path ? undefined : `Same as \`${route.method.toUpperCase()} ${route.path}\`.`;
  const description = [aliasOf, route.description].filter(Boolean).join(' ');
  const responses: OpenApiOperation['responses'] = {};

  for (const [status, doc] of Object.entries(route.responses)) {
    const content: Record<string, { schema: JsonSchema }> = {};
    if (doc.json)
      content['application/json'] = { schema: schemaRef(schemaNameOf(doc.json, `${operationId}${status}`)) };
    const headers = doc.headers
      ? Object.fromEntries(
          Object.entries(doc.headers).map(([name, text]) => [name, { description: text, schema: { type: 'string' } }]),
        )
      : undefined;
    responses[status] = { description: doc.description, ...(headers && { headers }), ...(doc.json ? { content } : {}) };
  }

  const codesByStatus = new Map<number, ErrorCode[]>();
  for (const code of problemCodesOf(route)) {
    const status = problemCatalogue[code].status;
    codesByStatus.set(status, [...(codesByStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of codesByStatus) {
    const existing = responses[status] as OpenApiResponse | undefined;
    // A status that is only problems is the same wherever those codes meet: a shared component.
    if (!existing) {
      const name = codes.map(problemResponseName).join('Or');
      problemResponses.set(name, codes);
      responses[status] = { $ref: `#/components/responses/${name}` };
      continue;
    }
    const titles = codes.map((code) => problemCatalogue[code].title).join('; ');
    const headers = status === 401 ? { ...existing?.headers, ...challengeHeader } : existing?.headers;
    responses[status] = {
      description: existing ? `${existing.description} Or a problem: ${titles}.` : `${titles}.`,
      ...(headers && { headers }),
      content: { ...existing?.content, ...problemContent(codes) },
    };
  }
  responses['500'] = { $ref: '#/components/responses/Internal' };
  // Any route that reads D1 or KV answers 503 during a documented platform outage.
  if (!route.storageFree && !responses['503']) responses['503'] = { $ref: '#/components/responses/Unavailable' };

  const operation: OpenApiOperation = { operationId, tags: [route.tag], summary: route.summary, responses };
  if (description) operation.description = description;
  if (route.auth) operation.security = [{ bearerAuth: [] }];
  if (route.admin) operation.security = [{ adminKey: [] }];
  const parameters = parametersOf(route);
  if (parameters) operation.parameters = parameters;
  if (route.body)
    operation.requestBody = { required: true, content: { 'application/json': { schema: requestSchema(route.body) } } };
  return operation;
}

export function buildOpenApiDocument(routes: readonly RouteDoc[] = routeDocs): OpenApiDocument {
  // A registry lets zod render nested named schemas (PublicUser inside TokenResponse) as $refs.
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  const schemaNameOf = (schema: z.ZodType, fallback: string) => {
    let name = names.get(schema);
    if (!name) {
      name = fallback;
      names.set(schema, name);
      registry.add(schema, { id: name });
    }
    return name;
  };
  for (const [schema, name] of namedSchemas) schemaNameOf(schema, name);

  const paths: OpenApiDocument['paths'] = {};
  const problemResponses = new Map<string, ErrorCode[]>();
  for (const route of routes) {
    for (const path of [route.path, ...(route.aliases ?? [])]) {
      const item = (paths[openApiPath(path)] ??= {});
      item[route.method] = operationOf(route, path, schemaNameOf, problemResponses);
    }
  }

  const rendered = z.toJSONSchema(registry, { io: 'output', uri: (id) => `#/components/schemas/${id}` });
  const schemas = Object.fromEntries(
    Object.entries(rendered.schemas).map(([name, schema]) => [name, withoutDialect(schema as JsonSchema)]),
  );

  const responses: Record<string, OpenApiResponse> = {};
  for (const [name, code] of Object.entries(globalResponses)) {
    responses[name] = { description: `${problemCatalogue[code].title}.`, content: problemContent([code]) };
  }
  // The shared problem-only responses that operations refer to (see operationOf).
  for (const [name, codes] of problemResponses) {
    if (responses[name]) continue;
    const unauthorized = problemCatalogue[codes[0]!].status === 401;
    responses[name] = {
      description: `${codes.map((code) => problemCatalogue[code].title).join('; ')}.`,
      ...(unauthorized && { headers: challengeHeader }),
      content: problemContent(codes),
    };
  }
  responses.MethodNotAllowed!.headers = {
    allow: { description: 'The methods the path answers.', schema: { type: 'string' } },
  };
  responses.Unavailable!.headers = {
    'retry-after': { description: 'Seconds to wait before trying again.', schema: { type: 'string' } },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey',
      version: packageJson.version,
      description:
        'Accounts, sessions and password recovery. Every error is an RFC 9457 problem document ' +
        '(`application/problem+json`) with a stable `code`. Any path answers 404 `not_found` when no ' +
        'route has it (`#/components/responses/NotFound`) and 405 `method_not_allowed` with an `Allow` ' +
        'header when it has another method (`#/components/responses/MethodNotAllowed`). Access tokens ' +
        'are ES256 JWTs (`typ: at+jwt`) verifiable against `/.well-known/jwks.json`.',
    },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      responses,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        adminKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The `ADMIN_API_KEY` secret, for the deployer’s tools only. User tokens and cookies are refused here, ' +
            'and this key is refused everywhere else.',
        },
      },
    },
  };
}

/** The committed file's exact text: two-space indents and a final newline, so diffs stay readable. */
export function openApiDocumentText(document: OpenApiDocument = buildOpenApiDocument()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
