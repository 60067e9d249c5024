// The default log sink. Every line is one JSON object whose first key is its level; it is written
// through the console method of that level, so Workers Logs, `wrangler tail` and a local
// `wrangler dev --log-level warn` file and filter it by level (console.log would call them all "log").

const ERROR_PREFIX = '{"level":"error"';
const WARN_PREFIX = '{"level":"warn"';

export function consoleSink(line: string): void {
  if (line.startsWith(ERROR_PREFIX)) console.error(line);
  else if (line.startsWith(WARN_PREFIX)) console.warn(line);
  else console.info(line);
}
