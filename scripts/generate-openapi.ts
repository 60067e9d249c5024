// Writes public/openapi.json, the document `GET /openapi.json` serves, from the route table
// and the zod schemas (src/http/openapi.ts). Run `npm run openapi:generate` after changing a route,
// a schema or the package version, and commit the output; `npm test` fails until you do.
import { writeFileSync } from 'node:fs';
import { openApiDocumentText } from '../src/http/openapi';

const output = new URL('../public/openapi.json', import.meta.url);
writeFileSync(output, openApiDocumentText());
console.log(`wrote ${output.pathname}`);
