// zod's mini API, with zod's English messages. The worker validates with zod/mini rather than
// classic zod because classic schemas carry every method (and so every schema type and the JSON
// Schema renderer) into the bundle; mini's functions tree-shake. Mini loads no locale of its own:
// without this, every message quoted in problem responses and config errors would be "Invalid input".
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';
