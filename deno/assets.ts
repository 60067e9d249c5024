// The ASSETS binding on Deno: the Worker's static assets (wrangler.assets.toml, the public/
// folder) read from disk, answering like the assets layer: the file, or 404. Only what the app
// itself asks for goes through it (the common-password list); `--allow-read=.` covers the folder.
const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  txt: 'text/plain; charset=utf-8',
};

export function createStaticAssets(directory: URL): Fetcher {
  const assets = {
    async fetch(input: RequestInfo | URL): Promise<Response> {
      const path = decodeURIComponent(new URL(input instanceof Request ? input.url : input).pathname);
      // URL parsing has already resolved "." and ".."; refuse anything that could still leave the folder.
      if (path.split('/').some((segment) => segment === '..') || path.includes('\\') || path.includes('\0')) {
        return new Response('Not found', { status: 404 });
      }
      try {
        const body = await Deno.readFile(new URL(`.${path}`, directory));
        const extension = path.slice(path.lastIndexOf('.') + 1);
        return new Response(body, {
          headers: { 'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream' },
        });
      } catch (error) {
        if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
          return new Response('Not found', { status: 404 });
        }
        throw error;
      }
    },
  };
  return assets as unknown as Fetcher;
}
