import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { ArgoInstanceConfig } from '../../config';
import { argoApp, helmApp, multiSourceApp, SHA } from '../../__fixtures__/argo';
import { argoHandlers, fakeArgo } from '../../__testUtils__/argoServer';
import { validateArgo } from '@gitops-portal/gitops-contracts';
import { EnvironmentConfig } from '../../model/environments';
import { LIST_FIELDS } from './ArgoClient';
import { ArgoProvider } from './ArgoProvider';
import { rolloutStatus } from './rollouts';

const server = setupServer();
registerMswTestHooks(server);

const environments: EnvironmentConfig = {
  order: ['dev', 'staging', 'prod'],
  label: 'environment',
  fallback: 'default',
  rules: [
    { instance: 'prod-argo', environment: 'prod' },
    { destinationName: 'prod-cluster', environment: 'prod' },
    { destinationNamespace: 'staging', environment: 'staging' },
  ],
};

/** An Argo CD 3.x application hydrated from main into environments/prod. */
function hydratedApp() {
  const app = argoApp({ name: 'hydrated', historyCount: 1 });
  delete app.spec!.source;
  app.spec!.sourceHydrator = {
    drySource: {
      repoURL: 'https://github.com/acme/shop.git',
      path: 'deploy/prod',
      targetRevision: 'main',
    },
    syncSource: { targetBranch: 'environments/prod', path: 'prod' },
  };
  return app;
}

function instance(
  overrides: Partial<ArgoInstanceConfig> = {},
): ArgoInstanceConfig {
  return {
    name: 'main',
    url: 'https://argo.test',
    uiUrl: 'https://argo.test',
    token: 'argo-token',
    skipTLSVerify: false,
    timeoutMs: 2000,
    ...overrides,
  };
}

describe('ArgoProvider', () => {
  it('fixtures validate against the Argo CD contract', () => {
    for (const app of [
      argoApp({ name: 'a', historyCount: 12 }),
      argoApp({ name: 'b', appSet: 'team-apps' }),
      multiSourceApp('c'),
      helmApp('d'),
    ]) {
      expect(validateArgo('v1alpha1Application', app)).toEqual([]);
    }
    // and the contract check is able to fail
    expect(
      validateArgo('v1alpha1Application', { metadata: { name: 1 } }),
    ).not.toEqual([]);
    expect(
      validateArgo('v1alpha1Application', { spec: { sourcez: {} } }),
    ).not.toEqual([]);
  });

  it('maps applications of every shape to the shared model', async () => {
    const argo = fakeArgo('https://argo.test', {
      apps: [
        argoApp({ name: 'web', labels: { environment: 'dev' } }),
        argoApp({
          name: 'web',
          namespace: 'team-a',
          destinationNamespace: 'staging',
          appSet: 'team-a-apps',
        }),
        multiSourceApp('shop'),
        helmApp('monitoring'),
      ],
    });
    server.use(...argoHandlers(argo));
    const provider = new ArgoProvider({ instance: instance(), environments });
    const { applications, deployments } = await provider.read({});

    expect(argo.requests[0].search).toContain(
      `fields=${encodeURIComponent(LIST_FIELDS)}`,
    );
    expect(argo.requests[0].auth).toBe('Bearer argo-token');

    const byId = Object.fromEntries(applications.map(a => [a.id, a]));
    expect(Object.keys(byId).sort()).toEqual([
      'argocd:main:argocd:monitoring',
      'argocd:main:argocd:shop',
      'argocd:main:argocd:web',
      'argocd:main:team-a:web',
    ]);
    expect(byId['argocd:main:argocd:web']).toMatchObject({
      environment: 'dev',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      revisions: [SHA(2)],
      lastSyncedAt: '2026-11-01T02:00:00Z',
      controllerUrl: 'https://argo.test/applications/argocd/web',
    });
    expect(byId['argocd:main:team-a:web']).toMatchObject({
      namespace: 'team-a',
      environment: 'staging',
      applicationSet: 'team-a-apps',
      controllerUrl: 'https://argo.test/applications/team-a/web',
    });
    expect(byId['argocd:main:argocd:shop']).toMatchObject({
      environment: 'prod',
      revisions: [SHA(3), '1.2.3'],
      sources: [
        { repoUrl: 'https://github.com/acme/values.git', path: 'values/shop' },
        {
          repoUrl: 'https://charts.acme.io',
          chart: 'shop',
          targetRevision: '1.2.*',
        },
      ],
    });
    expect(byId['argocd:main:argocd:monitoring']).toMatchObject({
      environment: 'default',
      syncStatus: 'OutOfSync',
      healthStatus: 'Progressing',
      revisions: ['65.0.0'],
      attemptedRevisions: ['65.1.0'],
      operationPhase: 'Failed',
      message: 'one or more objects failed to apply: admission webhook denied',
    });

    const monitoring = deployments.filter(
      d => d.applicationId === 'argocd:main:argocd:monitoring',
    );
    expect(monitoring.map(d => [d.result, d.revisions, d.initiatedBy])).toEqual(
      [
        ['Succeeded', ['65.0.0'], 'admin'],
        ['Failed', ['65.1.0'], 'bob'],
      ],
    );
    const web = deployments.filter(
      d => d.applicationId === 'argocd:main:argocd:web',
    );
    expect(web.map(d => d.initiatedBy)).toEqual(['automated', 'alice']);
  });

  it('reads images and the resources that drifted or are unhealthy, from status (2.x) or the resource tree (3.x)', async () => {
    const resources = (inline: boolean) => [
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'shop',
        name: 'api',
        status: 'Synced',
        ...(inline
          ? {
              health: {
                status: 'Degraded',
                message: 'Deployment "api" exceeded its progress deadline',
              },
            }
          : {}),
      },
      {
        version: 'v1',
        kind: 'ConfigMap',
        namespace: 'shop',
        name: 'api-config',
        status: 'OutOfSync',
      },
      {
        version: 'v1',
        kind: 'Service',
        namespace: 'shop',
        name: 'api',
        status: 'Synced',
        ...(inline ? { health: { status: 'Healthy' } } : {}),
      },
    ];
    const v2 = argoApp({ name: 'v2', health: 'Degraded', sync: 'OutOfSync' });
    v2.status = {
      ...v2.status,
      summary: { images: ['ghcr.io/acme/api:1.4.2'] },
      resources: resources(true),
    };
    const v3 = argoApp({ name: 'v3', health: 'Degraded', sync: 'OutOfSync' });
    v3.status = {
      ...v3.status,
      summary: { images: [`ghcr.io/acme/api@sha256:${'b'.repeat(64)}`] },
      resources: resources(false),
      resourceHealthSource: 'appTree',
    };
    const healthy3 = argoApp({ name: 'fine' });
    healthy3.status = {
      ...healthy3.status,
      resources: resources(false).slice(2),
      resourceHealthSource: 'appTree',
    };
    const tree = {
      nodes: [
        {
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'api',
          uid: 'u1',
          health: {
            status: 'Degraded',
            message: 'Deployment "api" exceeded its progress deadline',
          },
        },
        {
          version: 'v1',
          kind: 'Service',
          namespace: 'shop',
          name: 'api',
          uid: 'u2',
          health: { status: 'Healthy' },
        },
      ],
    };
    for (const app of [v2, v3]) {
      expect(validateArgo('v1alpha1Application', app)).toEqual([]);
    }
    const argo = fakeArgo('https://argo.test', {
      apps: [v2, v3, healthy3],
      trees: { v3: tree, fine: tree },
    });
    server.use(...argoHandlers(argo));
    const snapshot = await new ArgoProvider({
      instance: instance(),
      environments,
    }).read({});
    const byName = (n: string) =>
      snapshot.applications.find(a => a.name === n)!;
    const expected = [
      {
        group: 'apps',
        kind: 'Deployment',
        namespace: 'shop',
        name: 'api',
        syncStatus: 'Synced',
        healthStatus: 'Degraded',
        message: 'Deployment "api" exceeded its progress deadline',
      },
      {
        kind: 'ConfigMap',
        namespace: 'shop',
        name: 'api-config',
        syncStatus: 'OutOfSync',
      },
    ];
    expect(byName('v2')).toMatchObject({
      images: ['ghcr.io/acme/api:1.4.2'],
      resourceCount: 3,
      resources: expected,
    });
    // 3.x: the same answer, with health from the tree
    expect(byName('v3').resources).toEqual(expected);
    expect(byName('fine').resources).toBeUndefined();
    // the tree is read only for the unhealthy 3.x application
    expect(
      argo.requests.filter(r => r.path.endsWith('/resource-tree')),
    ).toEqual([
      expect.objectContaining({
        path: '/api/v1/applications/v3/resource-tree',
      }),
    ]);
  });

  it('reads the canary step, weight and pause of Argo Rollouts of apps rolling out, and blue-green selectors', async () => {
    const rolloutRef = (name: string) => ({
      group: 'argoproj.io',
      version: 'v1alpha1',
      kind: 'Rollout',
      namespace: 'shop',
      name,
      status: 'Synced',
    });
    const canaryApp = argoApp({ name: 'canary', health: 'Suspended' });
    canaryApp.status = {
      ...canaryApp.status,
      resources: [rolloutRef('api')],
    };
    const blueGreenApp = argoApp({ name: 'bg', health: 'Progressing' });
    blueGreenApp.status = {
      ...blueGreenApp.status,
      resources: [rolloutRef('web')],
    };
    const done = argoApp({ name: 'done' });
    done.status = { ...done.status, resources: [rolloutRef('api')] };
    for (const app of [canaryApp, blueGreenApp, done])
      expect(validateArgo('v1alpha1Application', app)).toEqual([]);
    const template = {
      metadata: { labels: { app: 'api' } },
      spec: { containers: [{ name: 'api', image: 'ghcr.io/acme/api:1.5.0' }] },
    };
    const canary = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template,
        strategy: {
          canary: {
            steps: [
              { setWeight: 20 },
              { pause: {} },
              { setWeight: 50 },
              { pause: { duration: '10m' } },
            ],
          },
        },
      },
      status: {
        phase: 'Paused',
        message: 'CanaryPauseStep',
        currentStepIndex: 1,
        pauseConditions: [
          { reason: 'CanaryPauseStep', startTime: '2026-11-23T10:00:00Z' },
        ],
        controllerPause: true,
        currentPodHash: '6d4f8b7c9',
        stableRS: '5c8d7f6b4',
      },
    };
    const blueGreen = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        template,
        strategy: {
          blueGreen: { activeService: 'web', previewService: 'web-preview' },
        },
      },
      status: {
        phase: 'Progressing',
        blueGreen: {
          activeSelector: '5c8d7f6b4',
          previewSelector: '6d4f8b7c9',
        },
        currentPodHash: '6d4f8b7c9',
        stableRS: '5c8d7f6b4',
      },
    };
    const argo = fakeArgo('https://argo.test', {
      apps: [canaryApp, blueGreenApp, done],
      liveObjects: { canary: [canary], bg: [blueGreen], done: [canary] },
    });
    server.use(...argoHandlers(argo));
    const snapshot = await new ArgoProvider({
      instance: instance(),
      environments,
    }).read({});
    const byName = (n: string) =>
      snapshot.applications.find(a => a.name === n)!;
    expect(byName('canary').rollouts).toEqual([
      {
        name: 'api',
        namespace: 'shop',
        strategy: 'canary',
        phase: 'Paused',
        message: 'CanaryPauseStep',
        step: 1,
        steps: 4,
        weight: 20,
        paused: true,
        aborted: false,
        stableHash: '5c8d7f6b4',
        currentHash: '6d4f8b7c9',
      },
    ]);
    expect(byName('bg').rollouts).toEqual([
      expect.objectContaining({
        name: 'web',
        strategy: 'blueGreen',
        activeSelector: '5c8d7f6b4',
        previewSelector: '6d4f8b7c9',
        paused: false,
      }),
    ]);
    // a healthy app's rollout is not read
    expect(byName('done').rollouts).toBeUndefined();
    expect(
      argo.requests
        .filter(r => r.path.endsWith('/resource'))
        .map(r => r.path)
        .sort(),
    ).toEqual([
      '/api/v1/applications/bg/resource',
      '/api/v1/applications/canary/resource',
    ]);
  });

  it('derives the canary weight as Argo Rollouts does, and survives an unreadable object', () => {
    const rollout = (status: object, steps: object[]) => ({
      metadata: { name: 'api' },
      spec: { strategy: { canary: { steps } } },
      status,
    });
    const steps = [{ setWeight: 10 }, { pause: {} }, { setWeight: 40 }, {}];
    expect(rolloutStatus(rollout({ currentStepIndex: 0 }, steps))?.weight).toBe(
      10,
    );
    expect(rolloutStatus(rollout({ currentStepIndex: 3 }, steps))?.weight).toBe(
      40,
    );
    expect(
      rolloutStatus(rollout({ currentStepIndex: 4 }, steps)),
    ).toMatchObject({ step: 4, steps: 4, weight: 100 });
    expect(
      rolloutStatus(rollout({ currentStepIndex: 2, abort: true }, steps)),
    ).toMatchObject({ aborted: true, weight: 0 });
    // traffic routing reports the actual weight
    expect(
      rolloutStatus(
        rollout(
          {
            currentStepIndex: 2,
            canary: { weights: { canary: { weight: 33 } } },
          },
          steps,
        ),
      )?.weight,
    ).toBe(33);
    expect(rolloutStatus({ metadata: { name: 'x' } })).toBeUndefined();
    expect(
      rolloutStatus(rollout({ currentStepIndex: 'two' }, steps)),
    ).toBeUndefined();
  });

  it('shows a hydrated application (3.x) by its dry commit, with the hydrated one beside it and failures', async () => {
    const dry = SHA(41);
    const hydrated = 'c'.repeat(40);
    const app = hydratedApp();
    app.status!.history = [{ ...app.status!.history![0], revision: hydrated }];
    app.status!.sync = { ...app.status!.sync, revision: hydrated };
    app.status!.sourceHydrator = {
      lastSuccessfulOperation: { drySHA: dry, hydratedSHA: hydrated },
      currentOperation: {
        drySHA: SHA(42),
        phase: 'Failed',
        message: 'failed to render manifests: kustomize build failed',
      },
    };
    expect(validateArgo('v1alpha1Application', app)).toEqual([]);
    server.use(...argoHandlers(fakeArgo('https://argo.test', { apps: [app] })));
    const snapshot = await new ArgoProvider({
      instance: instance(),
      environments,
    }).read({});
    expect(snapshot.applications[0]).toMatchObject({
      sources: [
        {
          repoUrl: 'https://github.com/acme/shop.git',
          path: 'deploy/prod',
          targetRevision: 'main',
        },
      ],
      revisions: [dry],
      hydration: {
        targetBranch: 'environments/prod',
        hydratedRevision: hydrated,
        phase: 'Failed',
        message: 'failed to render manifests: kustomize build failed',
      },
      message:
        'Hydration failed: failed to render manifests: kustomize build failed',
    });
    expect(snapshot.deployments[0].revisions).toEqual([dry]);
  });

  it('tells every history entry of a hydrated application by its dry commit, also one first read after a newer sync', async () => {
    // Argo CD keeps hydrated commits in history and tells the dry one only
    // in passing (currentOperation while hydrating, lastSuccessfulOperation
    // for what runs): a read missed between two syncs must not leave the
    // older one stored by its hydrated commit
    const [d1, d2, d3] = [SHA(51), SHA(52), SHA(53)];
    const [h1, h2, h3] = ['1', '2', '3'].map(c => c.repeat(40));
    const app = hydratedApp();
    const first = app.status!.history![0];
    const entry = (revision: string, minutes: number) => ({
      ...first,
      id: minutes,
      revision,
      deployedAt: new Date(Date.UTC(2026, 11, 6, 10, minutes)).toISOString(),
      deployStartedAt: new Date(
        Date.UTC(2026, 11, 6, 10, minutes) - 20_000,
      ).toISOString(),
    });
    // read 1: h1 runs, d2 is being hydrated into h2
    app.status!.history = [entry(h1, 1)];
    app.status!.sync = { ...app.status!.sync, revision: h1 };
    app.status!.sourceHydrator = {
      lastSuccessfulOperation: { drySHA: d1, hydratedSHA: h1 },
      currentOperation: { drySHA: d2, hydratedSHA: h2, phase: 'Hydrated' },
    };
    expect(validateArgo('v1alpha1Application', app)).toEqual([]);
    const argo = fakeArgo('https://argo.test', { apps: [app] });
    server.use(...argoHandlers(argo));
    const provider = new ArgoProvider({ instance: instance(), environments });
    const before = await provider.read({});
    expect(before.deployments.map(d => d.revisions[0])).toEqual([d1]);
    // read 2, after h2 and h3 were both synced
    app.status!.history = [entry(h1, 1), entry(h2, 2), entry(h3, 3)];
    app.status!.sync = { ...app.status!.sync, revision: h3 };
    app.status!.sourceHydrator = {
      lastSuccessfulOperation: { drySHA: d3, hydratedSHA: h3 },
      currentOperation: { drySHA: d3, hydratedSHA: h3, phase: 'Hydrated' },
    };
    const after = await provider.read({});
    expect(after.deployments.map(d => d.revisions[0])).toEqual([d1, d2, d3]);
    expect(after.applications[0].revisions).toEqual([d3]);
    // a commit never seen in passing stays its hydrated self, not a guess
    const unseen = await new ArgoProvider({
      instance: instance(),
      environments,
    }).read({});
    expect(unseen.deployments.map(d => d.revisions[0])).toEqual([h1, h2, d3]);
  });

  it('places apps by instance rule, and tells instances with the same app name apart', async () => {
    const main = fakeArgo('https://argo.test', {
      apps: [argoApp({ name: 'api' })],
    });
    const prod = fakeArgo('https://prod.argo.test', {
      apps: [argoApp({ name: 'api' })],
    });
    server.use(...argoHandlers(main), ...argoHandlers(prod));
    const a = await new ArgoProvider({
      instance: instance(),
      environments,
    }).read({});
    const b = await new ArgoProvider({
      instance: instance({
        name: 'prod-argo',
        url: 'https://prod.argo.test',
        uiUrl: 'https://prod.argo.test',
      }),
      environments,
    }).read({});
    expect(a.applications[0]).toMatchObject({
      id: 'argocd:main:argocd:api',
      environment: 'default',
    });
    expect(b.applications[0]).toMatchObject({
      id: 'argocd:prod-argo:argocd:api',
      environment: 'prod',
    });
  });

  it('reads only the configured application namespaces', async () => {
    const argo = fakeArgo('https://argo.test', {
      apps: [
        argoApp({ name: 'x' }),
        argoApp({ name: 'y', namespace: 'team-a' }),
      ],
    });
    server.use(...argoHandlers(argo));
    const provider = new ArgoProvider({
      instance: instance({ appNamespaces: ['team-a'] }),
      environments,
    });
    const { applications } = await provider.read({});
    expect(applications.map(a => a.id)).toEqual(['argocd:main:team-a:y']);
  });

  it('logs in with username and password and renews the session on 401', async () => {
    const argo = fakeArgo('https://argo.test', {
      apps: [argoApp({ name: 'x' })],
      tokens: new Set(),
      users: { backstage: 's3cret-pass' },
    });
    server.use(...argoHandlers(argo));
    const provider = new ArgoProvider({
      instance: instance({
        token: undefined,
        username: 'backstage',
        password: 's3cret-pass',
      }),
      environments,
    });
    await provider.read({});
    await provider.read({});
    expect(argo.logins).toBe(1);
    argo.tokens.clear(); // session expired
    const { applications } = await provider.read({});
    expect(applications).toHaveLength(1);
    expect(argo.logins).toBe(2);
  });

  it('fails with a clear message on a wrong password, without the password', async () => {
    const argo = fakeArgo('https://argo.test', {
      users: { backstage: 'right' },
    });
    server.use(...argoHandlers(argo));
    const provider = new ArgoProvider({
      instance: instance({
        token: undefined,
        username: 'backstage',
        password: 'wrong-pass',
      }),
      environments,
    });
    const error = await provider.read({}).catch(e => e);
    expect(error.message).toContain("Argo CD 'main' login failed");
    expect(
      JSON.stringify({
        m: error.message,
        s: error.stack,
        c: String(error.cause),
      }),
    ).not.toContain('wrong-pass');
  });

  it('retries server errors with backoff, then gives up', async () => {
    const argo = fakeArgo('https://argo.test', { failWith: 503 });
    server.use(...argoHandlers(argo));
    const provider = new ArgoProvider({ instance: instance(), environments });
    await expect(provider.read({})).rejects.toThrow(/answered 503/);
    expect(argo.requests).toHaveLength(3);
  });

  it('refreshes and syncs through the API', async () => {
    const argo = fakeArgo('https://argo.test', {
      apps: [argoApp({ name: 'web', namespace: 'team-a' })],
    });
    server.use(...argoHandlers(argo));
    const provider = new ArgoProvider({ instance: instance(), environments });
    const [app] = (await provider.read({})).applications;
    const afterRead = argo.requests.length;
    await provider.refresh(app);
    await provider.sync(app);
    expect(
      argo.requests
        .slice(afterRead)
        .map(r => `${r.method} ${r.path}${r.search}`),
    ).toEqual([
      'GET /api/v1/applications/web?refresh=normal&appNamespace=team-a',
      'POST /api/v1/applications/web/sync',
    ]);
  });
});
