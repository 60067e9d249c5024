// A KVNamespace over Deno KV, for the parts Latchkey uses: mail tokens (get/put/delete with an
// expiry) and the development mailbox (list by prefix). Keys are stored under ['kv', name, key].
// Deno KV is strongly consistent where Workers KV is eventually consistent, so every guarantee the
// Workers code relies on holds here too; expireIn deletes an entry some time after its expiry, so
// reads also check the expiry kept beside the value (as Workers KV hides expired keys).

interface Stored {
  value: string;
  expiresAt: number | null;
}

type GetType = 'text' | 'json' | 'arrayBuffer' | 'stream';

export function createKvNamespace(kv: Deno.Kv, name: string): KVNamespace {
  const keyOf = (key: string): Deno.KvKey => ['kv', name, key];
  const live = (stored: Stored | null): stored is Stored =>
    stored !== null && (stored.expiresAt === null || stored.expiresAt > Date.now());

  async function get(key: string, options?: GetType | { type?: GetType }) {
    const type = (typeof options === 'string' ? options : options?.type) ?? 'text';
    const { value } = await kv.get<Stored>(keyOf(key));
    if (!live(value)) return null;
    if (type === 'json') return JSON.parse(value.value) as unknown;
    if (type === 'text') return value.value;
    throw new Error(`KV get type ${type} is not supported on Deno`);
  }

  async function put(key: string, value: string, options?: { expirationTtl?: number; expiration?: number }) {
    if (typeof value !== 'string') throw new Error('KV put takes text values on Deno');
    const expiresAt = options?.expirationTtl
      ? Date.now() + options.expirationTtl * 1000
      : options?.expiration
        ? options.expiration * 1000
        : null;
    const stored: Stored = { value, expiresAt };
    await kv.set(keyOf(key), stored, expiresAt === null ? {} : { expireIn: Math.max(1, expiresAt - Date.now()) });
  }

  async function list(options?: { prefix?: string; limit?: number; cursor?: string }) {
    const prefix = options?.prefix ?? '';
    const limit = options?.limit ?? 1000;
    const keys: { name: string; expiration?: number }[] = [];
    // Deno KV lists a key part range: every key of this namespace from `prefix` on, in order.
    const entries = kv.list<Stored>({ start: keyOf(prefix), end: ['kv', name, `${prefix}\uffff`] });
    for await (const entry of entries) {
      if (!live(entry.value)) continue;
      const keyName = String(entry.key[2]);
      if (!keyName.startsWith(prefix)) continue;
      keys.push(
        entry.value.expiresAt === null
          ? { name: keyName }
          : { name: keyName, expiration: Math.floor(entry.value.expiresAt / 1000) },
      );
      if (keys.length >= limit) break;
    }
    return { keys, list_complete: keys.length < limit, cacheStatus: null };
  }

  const namespace = {
    get,
    put,
    list,
    delete: (key: string) => kv.delete(keyOf(key)),
    getWithMetadata: async (key: string, options?: GetType) => ({ value: await get(key, options), metadata: null }),
  };
  return namespace as unknown as KVNamespace;
}
