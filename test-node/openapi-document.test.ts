// The published document checked by an independent OpenAPI 3.1 validator, in plain Node because
// the validator is a Node library. The worker serves the committed public/openapi.json; the
// first test keeps that file equal to a fresh generation from the route table and zod schemas.
import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import committedDocument from '../public/openapi.json';
import { type OpenApiResponse, buildOpenApiDocument } from '../src/http/openapi';
import { routeDocs } from '../src/http/openapi-routes';

const openApiDocument = () => buildOpenApiDocument();

describe('the OpenAPI document', () => {
  it('is committed as generated from the current routes and schemas', () => {
    const stale = 'public/openapi.json is stale: run `npm run openapi:generate` and commit it';
    expect(committedDocument, stale).toStrictEqual(buildOpenApiDocument());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(openApiDocument() as never);
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
  });

  it('documents every route of the table, aliases included, under a unique operationId', () => {
    const document = openApiDocument();
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item));
    const expected = routeDocs.reduce((count, route) => count + 1 + (route.aliases?.length ?? 0), 0);
    expect(operations).toHaveLength(expected);
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(expected);
  });

  it('renders request bodies on their input side, as a client sends them', () => {
    const register = openApiDocument().paths['/auth/register']!.post!;
    const schema = register.requestBody!.content['application/json']!.schema;
    expect(schema).toMatchObject({
      type: 'object',
      required: ['username', 'email', 'password'],
      additionalProperties: false,
    });
  });

  it('lists the problem codes each status of a route can carry', () => {
    const document = openApiDocument();
    const login = document.paths['/auth/login']!.post!;
    const codesAt = (status: string) => {
      const entry = login.responses[status] as OpenApiResponse | { $ref: string };
      // A status that is only problems refers to a response component shared by every route with those codes.
      const response =
        '$ref' in entry ? document.components.responses[entry.$ref.replace('#/components/responses/', '')]! : entry;
      const schema = response.content!['application/problem+json']!.schema as {
        allOf: [unknown, { properties: { code: { enum: string[] } } }];
      };
      return schema.allOf[1].properties.code.enum;
    };
    expect(codesAt('400').sort()).toEqual(['invalid_json', 'validation_failed']);
    expect(codesAt('401')).toEqual(['invalid_credentials']);
    expect(codesAt('403')).toEqual(['email_not_verified', 'mfa_required', 'account_disabled']);
    expect(codesAt('415')).toEqual(['unsupported_media_type']);
    expect(login.responses['415']).toEqual({ $ref: '#/components/responses/UnsupportedMediaType' });
  });

  it('turns Hono path parameters into OpenAPI ones', () => {
    const document = buildOpenApiDocument([
      {
        method: 'delete',
        path: '/me/sessions/:id',
        tag: 'Sessions',
        summary: 'x',
        auth: true,
        responses: { 204: { description: 'Gone.' } },
      },
    ]);
    const operation = document.paths['/me/sessions/{id}']!.delete!;
    expect(operation.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
    expect(operation.security).toEqual([{ bearerAuth: [] }]);
  });
});
