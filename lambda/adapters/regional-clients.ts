/**
 * One SDK client per Region (or endpoint), made on first use: the adapters talk to the Region a
 * launch happened in, and a client is cheap to keep but not to make per call.
 */

/**
 * The client kept in `cache` under `key`, made with `make(key)` the first time.
 *
 * @example
 * private client(region: string): EC2Client {
 *   return cachedClient(this.clients, region, this.clientFor);
 * }
 */
export function cachedClient<C>(cache: Map<string, C>, key: string, make: (key: string) => C): C {
  let client = cache.get(key);
  if (client === undefined) {
    client = make(key);
    cache.set(key, client);
  }
  return client;
}
