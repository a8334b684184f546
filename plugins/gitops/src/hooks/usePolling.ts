import { useEffect } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';

/**
 * Loads data and reloads it every `intervalMs` while mounted, backing off
 * (up to 8×) while loads fail.
 */
export function usePolling<T>(
  load: () => Promise<T>,
  deps: unknown[],
  intervalMs = 30_000,
) {
  const state = useAsyncRetry(load, deps);
  const failing = Boolean(state.error);
  useEffect(() => {
    const delay = failing ? intervalMs * 8 : intervalMs;
    const timer = setInterval(() => state.retry(), delay);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [failing, intervalMs, state.retry]);
  return state;
}
