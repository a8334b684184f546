import { useEffect, useRef, useState } from 'react';
import {
  discoveryApiRef,
  fetchApiRef,
  useApiHolder,
} from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  GITOPS_FLEET_CHANNEL,
  GitopsSignal,
} from '@gitops-portal/plugin-gitops-common';
import { usePolling } from './usePolling';

/**
 * With the signals plugin in the portal, a page is told of changes as the
 * backend stores them and polls only as a safety net this often.
 */
export const LIVE_FALLBACK_MS = 5 * 60_000;

/** Whether the portal's backend has the signals plugin, asked once per app. */
let signalsBackend: Promise<boolean> | undefined;

/**
 * Whether signals can reach this page: the app has the signals API (the
 * frontend half) and the backend answers the signals plugin's health check
 * (the backend half). An app with only the frontend half polls as without
 * signals. Undefined while unknown; true when the app cannot ask.
 */
function useSignalsBackend(enabled: boolean): boolean | undefined {
  const apis = useApiHolder();
  const [alive, setAlive] = useState<boolean>();
  useEffect(() => {
    if (!enabled) return undefined;
    const discovery = apis.get(discoveryApiRef);
    const fetchApi = apis.get(fetchApiRef);
    if (!discovery || !fetchApi) {
      setAlive(true);
      return undefined;
    }
    let current = true;
    signalsBackend ??= discovery
      .getBaseUrl('signals')
      .then(url => fetchApi.fetch(`${url}/health`))
      .then(
        res => res.ok,
        () => false,
      );
    signalsBackend.then(ok => current && setAlive(ok));
    return () => {
      current = false;
    };
  }, [apis, enabled]);
  return alive;
}

/**
 * The last change the backend announced on a channel (`undefined` until
 * one), and whether signals reach the page at all.
 */
export function useGitopsSignal(channel: string = GITOPS_FLEET_CHANNEL) {
  const { lastSignal, isSignalsAvailable } = useSignal<GitopsSignal>(channel);
  const backend = useSignalsBackend(isSignalsAvailable);
  return {
    live: isSignalsAvailable && backend !== false,
    version: lastSignal?.at,
  };
}

/** Forgets whether the backend has signals (tests). */
export function resetSignalsBackendCheck() {
  signalsBackend = undefined;
}

/**
 * Loads data and reloads it when the backend announces a change on
 * `channel` (see `gitopsEntityChannel`); without signals in the portal,
 * every `intervalMs` as before.
 */
export function useLive<T>(
  load: () => Promise<T>,
  deps: unknown[],
  options: {
    channel: string;
    intervalMs?: number;
    /**
     * Poll every `intervalMs` even with signals while this holds of what
     * was loaded (an entity with no application yet: no change can be
     * told on its channel before the backend knows the applications it
     * claims).
     */
    pollWhile?: (value: T) => boolean;
    /**
     * When what was loaded changes by itself, with nothing to announce (a
     * soak or a freeze window ending): it is loaded again then.
     */
    reloadAt?: (value: T) => string | undefined;
  },
) {
  const { live, version } = useGitopsSignal(options.channel);
  const [urgent, setUrgent] = useState(false);
  const state = usePolling(
    load,
    deps,
    live && !urgent ? LIVE_FALLBACK_MS : options.intervalMs ?? 30_000,
  );
  const { pollWhile } = options;
  useEffect(() => {
    // before the first load, value is undefined: the predicate says no
    setUrgent(
      state.value !== undefined && Boolean(pollWhile?.(state.value as T)),
    );
  }, [pollWhile, state.value]);
  const seen = useRef(version);
  const { retry } = state;
  const at =
    state.value === undefined
      ? undefined
      : options.reloadAt?.(state.value as T);
  useEffect(() => {
    if (!at) return undefined;
    const ms = Date.parse(at) - Date.now();
    // a day at most: the page is read again before then anyway
    if (Number.isNaN(ms) || ms > 24 * 3_600_000) return undefined;
    // a second after: the backend's clock has passed it too
    const timer = setTimeout(retry, Math.max(ms, 0) + 1000);
    return () => clearTimeout(timer);
  }, [at, retry]);
  useEffect(() => {
    if (version === seen.current) return;
    seen.current = version;
    retry();
  }, [version, retry]);
  return { ...state, live, version };
}
