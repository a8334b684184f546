import { act, renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import { ReactNode } from 'react';
import { resetSignalsBackendCheck, useLive } from './useLive';

/** A signal API as the signals plugin gives one: channels and their listeners. */
function signals() {
  const listeners = new Map<string, Set<(m: any) => void>>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      const set = listeners.get(channel) ?? new Set();
      set.add(onMessage as (m: any) => void);
      listeners.set(channel, set);
      return { unsubscribe: () => set.delete(onMessage as any) };
    },
  };
  return {
    api,
    send: (channel: string, message: object) =>
      listeners.get(channel)?.forEach(l => l(message)),
    subscribers: (channel: string) => listeners.get(channel)?.size ?? 0,
  };
}

/** Renders with this signal API only (no discovery: signals count as reaching the page). */
const withSignals =
  (s: ReturnType<typeof signals>) =>
  ({ children }: { children: ReactNode }) =>
    (
      <TestApiProvider apis={[[signalApiRef, s.api]]}>
        {children}
      </TestApiProvider>
    );

describe('useLive', () => {
  it("reloads when the backend announces a change on the page's channel, and only then", async () => {
    const s = signals();
    let loads = 0;
    const wrapper = withSignals(s);
    const { result } = renderHook(
      () =>
        useLive(async () => ++loads, [], {
          channel: 'gitops:entity:component:default/checkout',
          intervalMs: 50,
        }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.value).toBe(1));
    expect(result.current.live).toBe(true);
    // with signals, the 50 ms poll is not used
    await act(() => new Promise(r => setTimeout(r, 300)));
    expect(loads).toBe(1);
    // another entity's change: nothing
    act(() =>
      s.send('gitops:entity:component:default/search', {
        type: 'changed',
        at: 'a',
      }),
    );
    await act(() => new Promise(r => setTimeout(r, 100)));
    expect(loads).toBe(1);
    act(() =>
      s.send('gitops:entity:component:default/checkout', {
        type: 'changed',
        at: 'b',
      }),
    );
    await waitFor(() => expect(result.current.value).toBe(2));
  });

  it('polls when the app has the signals API but the backend has no signals plugin, and listens when it has', async () => {
    const seen: Array<{
      backendHasSignals: boolean;
      live: boolean;
      loads: number;
    }> = [];
    for (const backendHasSignals of [false, true]) {
      resetSignalsBackendCheck();
      const s = signals();
      let loads = 0;
      const asked: string[] = [];
      const wrapper = ({ children }: { children: ReactNode }) => (
        <TestApiProvider
          apis={[
            [signalApiRef, s.api],
            [
              discoveryApiRef,
              { getBaseUrl: async (id: string) => `http://backend/api/${id}` },
            ],
            [
              fetchApiRef,
              {
                fetch: async (url: RequestInfo | URL) => {
                  asked.push(String(url));
                  return { ok: backendHasSignals } as Response;
                },
              },
            ],
          ]}
        >
          {children}
        </TestApiProvider>
      );
      const { result, unmount } = renderHook(
        () =>
          useLive(async () => ++loads, [], {
            channel: 'gitops:fleet',
            intervalMs: 50,
          }),
        { wrapper },
      );
      await waitFor(() => expect(asked).toHaveLength(1));
      expect(asked[0]).toBe('http://backend/api/signals/health');
      // 400 ms in steps, each flushed by act (state updates drive the polling)
      for (let i = 0; i < 8; i++)
        await act(() => new Promise(r => setTimeout(r, 50)));
      seen.push({ backendHasSignals, live: result.current.live, loads });
      unmount();
    }
    // without the backend half: polled every 50 ms; with it: loaded once
    expect(seen[0]).toMatchObject({ backendHasSignals: false, live: false });
    expect(seen[0].loads).toBeGreaterThanOrEqual(3);
    expect(seen[1]).toEqual({ backendHasSignals: true, live: true, loads: 1 });
  });

  it('polls with signals while there is nothing to show yet (no change can be told then), and stops once there is', async () => {
    const s = signals();
    let loads = 0;
    const wrapper = withSignals(s);
    const { result } = renderHook(
      () =>
        useLive(async () => ++loads, [], {
          channel: 'gitops:entity:component:default/new',
          intervalMs: 50,
          // "empty" until the third load
          pollWhile: n => n < 3,
        }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.value).toBe(3));
    for (let i = 0; i < 8; i++)
      await act(() => new Promise(r => setTimeout(r, 50)));
    expect(loads).toBe(3);
    expect(result.current.live).toBe(true);
  });

  it('reloads when what it loaded says it changes by itself (a soak ending), with signals and nothing announced', async () => {
    const s = signals();
    let loads = 0;
    const wrapper = withSignals(s);
    // the first load says "held until 300 ms from now"; the second, open
    const until = new Date(Date.now() + 300).toISOString();
    const { result } = renderHook(
      () =>
        useLive(async () => ++loads, [], {
          channel: 'gitops:entity:component:default/storefront',
          intervalMs: 60_000,
          reloadAt: n => (n === 1 ? until : undefined),
        }),
      { wrapper },
    );
    await waitFor(() => expect(result.current.value).toBe(1));
    await act(() => new Promise(r => setTimeout(r, 200)));
    expect(loads).toBe(1);
    // a second after the time: read again, once
    await waitFor(() => expect(result.current.value).toBe(2), {
      timeout: 3000,
    });
    await act(() => new Promise(r => setTimeout(r, 1500)));
    expect(loads).toBe(2);
  });

  it('polls every interval without the signals plugin in the portal', async () => {
    let loads = 0;
    const wrapper = ({ children }: { children: ReactNode }) => (
      <TestApiProvider apis={[]}>{children}</TestApiProvider>
    );
    const { result, unmount } = renderHook(
      () =>
        useLive(async () => ++loads, [], {
          channel: 'gitops:fleet',
          intervalMs: 50,
        }),
      { wrapper },
    );
    await waitFor(() => expect(loads).toBeGreaterThanOrEqual(3));
    expect(result.current.live).toBe(false);
    unmount();
  });
});
