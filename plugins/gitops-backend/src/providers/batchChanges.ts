import { ProviderSnapshot } from '../model/provider';

/**
 * Collects what a watch reports and hands it on in batches — every
 * `intervalMs`, or at once when `maxSize` objects wait — mapped by `map`, so
 * a burst (a watch starts with every object) is written a batch at a time.
 * The last object seen for a key wins; an object whose `fingerprint` is the
 * one last seen for its key is dropped (a controller touching a timestamp
 * only). `add` waits while batches are queued behind a slow store, so a
 * stream is read no faster than it is written (memory stays bounded).
 * `close()` hands on what is left and throws the first error `onChange`
 * raised.
 */
export function batchChanges<T>(options: {
  map: (items: T[]) => ProviderSnapshot;
  /** Fingerprints already seen, by key (what a full read just stored). */
  seen?: Map<string, string>;
  onChange: (changed: ProviderSnapshot) => Promise<void>;
  intervalMs?: number;
  maxSize?: number;
}) {
  let pending = new Map<string, T>();
  const seen = options.seen ?? new Map<string, string>();
  let flushing: Promise<void> = Promise.resolve();
  let queued = 0;
  let failure: unknown;
  const flush = () => {
    if (pending.size === 0) return flushing;
    const items = [...pending.values()];
    pending = new Map();
    queued += 1;
    flushing = flushing.then(() =>
      options
        .onChange(options.map(items))
        .catch(error => {
          failure ??= error;
        })
        .finally(() => {
          queued -= 1;
        }),
    );
    return flushing;
  };
  const timer = setInterval(flush, options.intervalMs ?? 200);
  return {
    async add(key: string, item: T, fingerprint?: string) {
      if (fingerprint !== undefined) {
        if (seen.get(key) === fingerprint) return;
        seen.set(key, fingerprint);
      }
      pending.set(key, item);
      if (pending.size >= (options.maxSize ?? 500)) await flush();
      else if (queued > 1) await flushing;
    },
    async close() {
      clearInterval(timer);
      await flush();
      if (failure) throw failure;
    },
  };
}
