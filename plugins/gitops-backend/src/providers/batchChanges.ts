import { ProviderSnapshot } from './types';

/**
 * Collects what a watch reports and hands it on in batches — every
 * `intervalMs`, or at once when `maxSize` objects wait — mapped by `map`, so
 * a burst (a watch starts with every object) is written a batch at a time.
 * The last object seen for a key wins. `close()` hands on what is left and
 * throws the first error `onChange` raised.
 */
export function batchChanges<T>(options: {
  map: (items: T[]) => ProviderSnapshot;
  onChange: (changed: ProviderSnapshot) => Promise<void>;
  intervalMs?: number;
  maxSize?: number;
}) {
  let pending = new Map<string, T>();
  let flushing: Promise<void> = Promise.resolve();
  let failure: unknown;
  const flush = () => {
    if (pending.size === 0) return flushing;
    const items = [...pending.values()];
    pending = new Map();
    flushing = flushing.then(() =>
      options.onChange(options.map(items)).catch(error => {
        failure ??= error;
      }),
    );
    return flushing;
  };
  const timer = setInterval(flush, options.intervalMs ?? 200);
  return {
    async add(key: string, item: T) {
      pending.set(key, item);
      if (pending.size >= (options.maxSize ?? 500)) await flush();
    },
    async close() {
      clearInterval(timer);
      await flush();
      if (failure) throw failure;
    },
  };
}
