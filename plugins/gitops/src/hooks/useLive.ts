import { useEffect, useRef } from 'react';
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

/**
 * The last change the backend announced on a channel (`undefined` until
 * one), and whether the portal has signals at all.
 */
export function useGitopsSignal(channel: string = GITOPS_FLEET_CHANNEL) {
  const { lastSignal, isSignalsAvailable } = useSignal<GitopsSignal>(channel);
  return { live: isSignalsAvailable, version: lastSignal?.at };
}

/**
 * Loads data and reloads it when the backend announces a change on
 * `channel` (see `gitopsEntityChannel`); without signals in the portal,
 * every `intervalMs` as before.
 */
export function useLive<T>(
  load: () => Promise<T>,
  deps: unknown[],
  options: { channel: string; intervalMs?: number },
) {
  const { live, version } = useGitopsSignal(options.channel);
  const state = usePolling(
    load,
    deps,
    live ? LIVE_FALLBACK_MS : options.intervalMs ?? 30_000,
  );
  const seen = useRef(version);
  const { retry } = state;
  useEffect(() => {
    if (version === seen.current) return;
    seen.current = version;
    retry();
  }, [version, retry]);
  return { ...state, live, version };
}
