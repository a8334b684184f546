/**
 * Lasting incidents told through the real Backstage notifications backend:
 * an application Degraded, out of sync or drifted reaches its service's
 * owners (the group's members, resolved from the catalog) once, is updated
 * when it ends, and reaches no one else; a controller that cannot be read
 * reaches the configured group, naming no application.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import { until } from '@gitops-portal/gitops-test-utils';
import request from 'supertest';
import { argoApp } from './__fixtures__/argo';
import { argoHandlers, fakeArgo } from './__testUtils__/argoServer';
import { group, twoTeams, user } from './__testUtils__/catalogEntities';
import {
  argoInstance,
  backendTestServer,
  signalsAndNotifications,
  startGitopsTestBackend,
} from './__testUtils__/testBackend';

jest.setTimeout(90_000);

const server = backendTestServer({ keepHandlers: true });

const app = (name: string) =>
  argoApp({
    name: `${name}-prod`,
    labels: { 'app.kubernetes.io/name': name, environment: 'prod' },
  });

describe('lasting incidents told to owners', () => {
  const main = fakeArgo('https://argo.test', {
    apps: [app('checkout'), app('search'), app('orphan')],
  });
  const down = fakeArgo('https://argo-down.test', { failWith: 503 });
  let api: ReturnType<typeof request>;
  let stop: () => Promise<void>;

  const status = (name: string) =>
    main.apps.find(a => a.metadata?.name === `${name}-prod`)!.status!;

  beforeAll(async () => {
    server.use(...argoHandlers(main), ...argoHandlers(down));
    const backend = await startGitopsTestBackend({
      ...signalsAndNotifications,
      scheduler: 'real',
      entities: [
        ...twoTeams,
        group('platform', ['user:default/carol']),
        user('carol', 'group:default/platform'),
      ],
      gitops: {
        pollIntervalSeconds: 1,
        visibility: { refreshIntervalSeconds: 1 },
        notifications: {
          checkIntervalSeconds: 1,
          // told as soon as seen: how long is the store's test's part
          degraded: { afterMinutes: 0 },
          outOfSync: { afterMinutes: 0 },
          drift: { afterMinutes: 0 },
          controllerUnreachable: {
            afterMinutes: 0,
            recipients: 'group:default/platform',
          },
        },
        argocd: {
          instances: [
            argoInstance('main', main.url),
            argoInstance('down', down.url),
          ],
        },
      },
    });
    api = request(backend.server);
    stop = () => backend.stop();
  });
  afterAll(() => stop?.());

  const notificationsOf = async (userRef: string) =>
    (
      await api
        .get('/api/notifications/')
        .set('Authorization', mockCredentials.user.header(userRef))
    ).body.notifications as Array<{ id: string; payload: any }>;
  const waitFor = (userRef: string, title: RegExp) =>
    until(
      async () =>
        (await notificationsOf(userRef)).find(n => title.test(n.payload.title)),
      `${userRef}'s notification ${title}`,
      30_000,
    );
  const settle = () => new Promise(r => setTimeout(r, 3000));

  it('tells the configured group that a controller cannot be read, naming no application', async () => {
    const n = await waitFor('user:default/carol', /Argo CD instance down/);
    expect(n.payload).toEqual(
      expect.objectContaining({
        title: expect.stringMatching(
          /^Argo CD instance down unreachable for \d+ minutes$/,
        ),
        link: '/gitops',
        severity: 'high',
      }),
    );
    expect(JSON.stringify(n.payload)).not.toMatch(/checkout|search|orphan/);
    // the owners of the services are not told of the controller
    for (const owner of ['alice', 'bob'])
      expect(
        (await notificationsOf(`user:default/${owner}`)).filter(x =>
          /Argo CD/.test(x.payload.title),
        ),
      ).toEqual([]);
  });

  it("tells a Degraded application's owners once, then updates the same notification when it recovers", async () => {
    status('checkout').health = {
      status: 'Degraded',
      message: 'Deployment checkout: 0 of 3 replicas available',
    };
    // an application no entity claims has no one to tell
    status('orphan').health = { status: 'Degraded' };
    const told = await waitFor('user:default/alice', /Degraded/);
    expect(told.payload).toEqual(
      expect.objectContaining({
        title: 'checkout: prod has been Degraded for 0 minutes',
        description: expect.stringMatching(
          /^checkout-prod runs [0-9a-f]{7}: Deployment checkout: 0 of 3 replicas available$/,
        ),
        link: '/catalog/default/component/checkout/deployments',
        severity: 'high',
      }),
    );
    await settle();
    const degraded = (await notificationsOf('user:default/alice')).filter(n =>
      /Degraded/.test(n.payload.title),
    );
    expect(degraded).toHaveLength(1);
    // another team, and the platform team, hear nothing of checkout
    for (const other of ['bob', 'carol'])
      expect(
        JSON.stringify(await notificationsOf(`user:default/${other}`)),
      ).not.toMatch(/checkout|orphan/);

    status('checkout').health = { status: 'Healthy' };
    const recovered = await waitFor('user:default/alice', /no longer Degraded/);
    // the same notification, updated
    expect(recovered.id).toBe(told.id);
    expect(recovered.payload.severity).toBe('low');
    expect(
      (await notificationsOf('user:default/alice')).filter(n =>
        /Degraded/.test(n.payload.title),
      ),
    ).toHaveLength(1);
  });

  it('tells drift not corrected apart from a revision not deployed', async () => {
    // search: the cluster differs from the revision it deployed
    status('search').sync = {
      status: 'OutOfSync',
      revision: status('search').sync!.revision,
    };
    // checkout: Git has a newer revision it has not deployed
    status('checkout').sync = { status: 'OutOfSync', revision: 'f'.repeat(40) };
    const drift = await waitFor('user:default/bob', /drift/);
    expect(drift.payload.title).toBe('search: drift in prod not corrected');
    const behind = await waitFor('user:default/alice', /out of sync/);
    expect(behind.payload.title).toBe(
      'checkout: prod has been out of sync for 0 minutes',
    );
    expect(
      (await notificationsOf('user:default/alice')).some(n =>
        /drift/.test(n.payload.title),
      ),
    ).toBe(false);
    expect(
      (await notificationsOf('user:default/bob')).some(n =>
        /out of sync/.test(n.payload.title),
      ),
    ).toBe(false);
  });
});
