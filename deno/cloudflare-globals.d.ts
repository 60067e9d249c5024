// For `deno check` only: the Workers binding types that src/ names as globals (D1Database,
// KVNamespace, RateLimit), which tsconfig.json gives tsc from @cloudflare/workers-types. The
// package's module form declares them without clashing with Deno's own web types.
import type {} from '@cloudflare/workers-types/index.ts';
