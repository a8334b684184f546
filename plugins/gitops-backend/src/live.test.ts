/**
 * Live pages and owners told, through the real Backstage signals and
 * notifications backends: a sync the controller reports stores a
 * deployment, the open page's WebSocket hears its entity's channel and the
 * fleet's, and a failed one reaches the service's owners (the group's
 * members, resolved by the notifications backend from the catalog) once,
 * however often the controller repeats it.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { until } from '@gitops-portal/gitops-test-utils';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import WebSocket from 'ws';
import { argoApp } from './__fixtures__/argo';
import { argoHandlers, fakeArgo } from './__testUtils__/argoServer';
import { twoTeams } from './__testUtils__/catalogEntities';
import {
  argoInstance,
  backendTestServer,
  signalsAndNotifications,
  startGitopsTestBackend,
} from './__testUtils__/testBackend';

jest.setTimeout(60_000);

const HOOK_TOKEN = 'argo-hook-token-SECRET';
const SHA = 'c'.repeat(40);
const server = backendTestServer({ keepHandlers: true });

const T0 = Math.floor(Date.now() / 1000) * 1000;
function argoEvent(phase: 'Succeeded' | 'Failed', minutes: number) {
  return {
    instance: 'main',
    app: { name: 'checkout-prod', namespace: 'argocd' },
    sync: {
      status: phase === 'Failed' ? 'OutOfSync' : 'Synced',
      revision: SHA,
    },
    health: { status: phase === 'Failed' ? 'Degraded' : 'Healthy' },
    operation: {
      phase,
      message:
        phase === 'Failed' ? 'one or more objects failed to apply' : 'ok',
      startedAt: new Date(T0 + minutes * 60_000 - 30_000).toISOString(),
      finishedAt: new Date(T0 + minutes * 60_000).toISOString(),
      revision: SHA,
      initiatedBy: 'alice',
    },
  };
}

describe('live updates and owner notifications', () => {
  let app: ReturnType<typeof request>;
  let baseUrl: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    server.use(
      ...argoHandlers(
        fakeArgo('https://argo.test', {
          apps: [
            argoApp({
              name: 'checkout-prod',
              labels: {
                'app.kubernetes.io/name': 'checkout',
                environment: 'prod',
              },
            }),
            argoApp({
              name: 'search-prod',
              labels: {
                'app.kubernetes.io/name': 'search',
                environment: 'prod',
              },
            }),
          ],
        }),
      ),
    );
    const backend = await startGitopsTestBackend({
      ...signalsAndNotifications,
      // the real scheduler: the claims are read again every second
      scheduler: 'real',
      entities: twoTeams,
      gitops: {
        visibility: { refreshIntervalSeconds: 1 },
        argocd: { instances: [argoInstance('main', 'https://argo.test')] },
        webhooks: { argocdToken: HOOK_TOKEN },
      },
    });
    app = request(backend.server);
    baseUrl = `http://127.0.0.1:${
      (backend.server.address() as AddressInfo).port
    }`;
    stop = () => backend.stop();
  });
  afterAll(() => stop?.());

  /** A page's WebSocket, subscribed to channels; what it heard, by channel. */
  async function openPage(channels: string[]) {
    const heard: Array<{ channel: string; message: any }> = [];
    const connect = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(
          `${baseUrl.replace('http', 'ws')}/api/signals`,
          // the default mock user's token is a valid subprotocol
          [mockCredentials.user.token()],
        );
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) =>
          reject(new Error(`WebSocket refused: ${res.statusCode}`)),
        );
        setTimeout(() => {
          ws.terminate();
          reject(new Error('WebSocket did not open'));
        }, 5000);
      });
    // the signals backend takes upgrades from its first request on, as the
    // frontend's client finds when it reconnects
    const ws = await connect().catch(() => connect());
    ws.on('message', data => heard.push(JSON.parse(String(data))));
    for (const channel of channels)
      ws.send(JSON.stringify({ action: 'subscribe', channel }));
    // subscriptions are taken in order; give them a moment
    await new Promise(r => setTimeout(r, 200));
    return { heard, close: () => ws.close() };
  }

  const notificationsOf = async (userRef: string) =>
    (
      await app
        .get('/api/notifications/')
        .set('Authorization', mockCredentials.user.header(userRef))
    ).body.notifications as any[];

  const postArgo = async (event: object) => {
    const res = await app
      .post('/api/gitops/webhooks/argocd')
      .set('x-gitops-token', HOOK_TOKEN)
      .send(event);
    expect(res.status).toBe(202);
  };

  it("signals a stored change on the entity's channel and the fleet's, with no data in it", async () => {
    const page = await openPage([
      'gitops:entity:component:default/checkout',
      'gitops:entity:component:default/search',
      'gitops:fleet',
    ]);
    // which entity claims which application is read in the background: a
    // change stored before that is announced to the fleet only
    const checkout = await until(
      async () => {
        await postArgo(argoEvent('Succeeded', 1 + page.heard.length));
        await new Promise(r => setTimeout(r, 1500));
        return page.heard.find(h => h.channel.includes('checkout'));
      },
      "a signal on checkout's channel",
      15_000,
    );
    page.close();
    expect(checkout.channel).toBe('gitops:entity:component:default/checkout');
    const channels = new Set(page.heard.map(h => h.channel));
    expect(channels.has('gitops:fleet')).toBe(true);
    // search did not change: its page was not told
    expect(channels.has('gitops:entity:component:default/search')).toBe(false);
    // a ping only: the page reads the change through the API
    for (const h of page.heard)
      expect(Object.keys(h.message).sort()).toEqual(['at', 'type']);
  });

  it("tells a failed deployment to its service's owners, once, and no one else", async () => {
    const failed = argoEvent('Failed', 60);
    await postArgo(failed);
    // the controller says it again (a retried notification)
    await postArgo(failed);
    const alice = await until(
      async () => {
        const n = await notificationsOf('user:default/alice');
        return n.length ? n : undefined;
      },
      "alice's notification",
      10_000,
    );
    // a moment for a second, wrong, notification to arrive
    await new Promise(r => setTimeout(r, 2000));
    const again = await notificationsOf('user:default/alice');
    expect(again).toHaveLength(1);
    expect(alice[0].payload).toEqual(
      expect.objectContaining({
        title: 'checkout: deployment to prod failed',
        description: `checkout-prod could not deploy ${SHA.slice(
          0,
          7,
        )}: one or more objects failed to apply`,
        link: '/catalog/default/component/checkout/deployments',
        severity: 'high',
      }),
    );
    expect(await notificationsOf('user:default/bob')).toEqual([]);
  });
});
