// The service routes: health, readiness, the OpenAPI document and the signing keys.
import * as z from 'zod';
import { healthSchema, readinessSchema, jwksSchema } from '../response-schemas';
import type { RouteDoc } from './route-doc';

export const serviceRouteDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/health',
    tag: 'Service',
    summary: 'Liveness check; touches no storage.',
    responses: { 200: { description: 'The worker is up.', json: healthSchema } },
    storageFree: true,
  },
  {
    method: 'get',
    path: '/health/ready',
    tag: 'Service',
    summary: 'Readiness check: one cheap read from D1 and one from KV, each bounded by a 1 s timeout.',
    responses: {
      200: { description: 'Both stores answered.', json: readinessSchema },
      503: { description: 'A store is down or slow; the body names which.', json: readinessSchema },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tag: 'Service',
    summary: 'This document.',
    storageFree: true,
    responses: { 200: { description: 'The OpenAPI 3.1 document.', json: z.looseObject({ openapi: z.string() }) } },
  },
  {
    method: 'get',
    path: '/.well-known/jwks.json',
    tag: 'Service',
    summary: 'The public keys that verify access tokens.',
    description: 'During a key rotation it lists the current key and the previous one.',
    responses: {
      200: {
        description: 'The key set.',
        json: jwksSchema,
        headers: { 'cache-control': 'How long verifiers may cache the key set.' },
      },
    },
    storageFree: true,
  },
];
