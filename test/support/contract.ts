// Checks a real response against the OpenAPI document the worker serves: the (method, path,
// status) must be documented, the media type must be one documented for it, and a JSON body
// must match the documented schema. Uses an independent JSON Schema 2020-12 validator, so a
// mistake in how the document is generated is caught too, not only drift in the handlers.
import { Validator } from '@cfworker/json-schema';
import { expect } from 'vitest';
import type { OpenApiDocument, OpenApiResponse } from '../../src/http/openapi';
import type { Harness } from './harness';

type JsonSchema = Record<string, unknown>;

function templateMatches(template: string, path: string): boolean {
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${pattern}$`).test(path);
}

function resolveResponse(document: OpenApiDocument, response: OpenApiResponse | { $ref: string }): OpenApiResponse {
  if (!('$ref' in response)) return response;
  const name = response.$ref.replace('#/components/responses/', '');
  const resolved = document.components.responses[name];
  if (!resolved) throw new Error(`dangling response reference ${response.$ref}`);
  return resolved;
}

/** The documented response for a request, following the document's rules for 404 and 405. */
export function documentedResponse(
  document: OpenApiDocument,
  method: string,
  path: string,
  status: number,
): { where: string; response: OpenApiResponse } | { where: string; response: undefined } {
  const template = Object.keys(document.paths).find((candidate) => templateMatches(candidate, path));
  if (!template) {
    return {
      where: `404 for unknown path ${path}`,
      response: status === 404 ? document.components.responses.NotFound : undefined,
    };
  }
  const operation = document.paths[template]![method.toLowerCase()];
  if (!operation) {
    const where = `${method} ${template} (not an operation)`;
    return { where, response: status === 405 ? document.components.responses.MethodNotAllowed : undefined };
  }
  const where = `${method} ${template} ${status}`;
  const response = operation.responses[String(status)];
  return { where, response: response && resolveResponse(document, response) };
}

// @cfworker/json-schema only indexes schemas under JSON Schema keywords, so the components are
// handed over as $defs of the schema being checked.
function withComponents(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  const rebased = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/$defs/')) as JsonSchema;
  return { ...rebased(schema), $defs: rebased(document.components.schemas) };
}

/** Every way the response departs from the document; empty when it conforms. */
export async function contractViolations(document: OpenApiDocument, method: string, path: string, response: Response) {
  const { where, response: documented } = documentedResponse(document, method, path, response.status);
  if (!documented) return [`${where}: status ${response.status} is not documented`];

  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const text = await response.clone().text();
  if (!documented.content) return text === '' ? [] : [`${where}: documented without a body, answered ${mediaType}`];
  const content = documented.content[mediaType];
  if (!content)
    return [
      `${where}: answered ${mediaType || 'no content type'}, documented ${Object.keys(documented.content).join(', ')}`,
    ];
  if (!mediaType.endsWith('json')) return [];

  const result = new Validator(withComponents(document, content.schema) as never, '2020-12', false).validate(
    JSON.parse(text),
  );
  return result.valid ? [] : result.errors.map((error) => `${where}: ${error.instanceLocation} ${error.error}`);
}

/**
 * Sends requests through `harness` and expects every answer to conform to the document it serves
 * (read once); answers the response for the test's own assertions.
 */
export async function conformingRequests(harness: Harness) {
  const document = (await (await harness.request('/openapi.json')).json()) as OpenApiDocument;
  return async (method: string, path: string, init: Parameters<Harness['request']>[1] = {}) => {
    const response = await harness.request(path, { ...init, method });
    expect(await contractViolations(document, method, path, response), `${method} ${path}`).toEqual([]);
    return response;
  };
}
