import {
  TestDatabases,
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ArgoInstanceConfig } from '../config';
import { DatabaseGitopsStore } from '../database/DatabaseGitopsStore';
import { DatabaseControllerStore } from '../database/ControllerStore';
import { DatabaseApplicationSetStore } from '../database/ApplicationSetStore';
import { argoApp } from '../__fixtures__/argo';
import { argoHandlers, fakeArgo } from '../__testUtils__/argoServer';
import { ArgoProvider } from '../providers/argocd/ArgoProvider';
import { EnvironmentConfig } from '../model/environments';
import { IngestionService, shardOf } from './IngestionService';

jest.setTimeout(60_000);

const server = setupServer();
registerMswTestHooks(server);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const environments: EnvironmentConfig = {
  order: ['dev', 'staging', 'prod'],
  label: 'environment',
  fallback: 'default',
  rules: [],
};

function instance(name: string): ArgoInstanceConfig {
  return {
    name,
    url: `https://${name}.argo.test`,
    uiUrl: `https://${name}.argo.test`,
    token: 'argo-token',
    skipTLSVerify: false,
    timeoutMs: 300,
  };
}

/**
 * Argo CD providers whose reads take `ms` and return nothing: which were
 * read, and the most read at one time.
 */
function slowProviders(names: string[], ms: number) {
  let running = 0;
  let most = 0;
  const reads: string[] = [];
  const providers = names.map(name => {
    const real = new ArgoProvider({ instance: instance(name), environments });
    return Object.assign(Object.create(real), {
      read: async () => {
        reads.push(name);
        running += 1;
        most = Math.max(most, running);
        await new Promise(r => setTimeout(r, ms));
        running -= 1;
        return { applications: [], deployments: [] };
      },
    });
  });
  return { providers, reads, most: () => most };
}

describe.each(databases.eachSupportedId())('IngestionService (%s)', id => {
  async function setup(names: string[]) {
    const knex = await databases.init(id);
    const store = await DatabaseGitopsStore.create({
      database: { getClient: async () => knex },
    });
    const argos = Object.fromEntries(
      names.map(n => [n, fakeArgo(`https://${n}.argo.test`)]),
    );
    server.use(...names.flatMap(n => argoHandlers(argos[n])));
    const providers = names.map(
      n => new ArgoProvider({ instance: instance(n), environments }),
    );
    const controllers = new DatabaseControllerStore(knex);
    const applicationSets = new DatabaseApplicationSetStore(knex);
    const ingestion = new IngestionService({
      store,
      providers: () => providers,
      logger: mockServices.logger.mock(),
      instanceTimeoutMs: 2_000,
      controllers,
      applicationSets,
    });
    return { store, argos, ingestion, controllers, applicationSets };
  }

  it('keeps one status row per controller: last success, last error and since when', async () => {
    const { store, argos, ingestion, controllers } = await setup(['a', 'b']);
    argos.a.apps = [argoApp({ name: 'web' })];
    argos.b.apps = [argoApp({ name: 'api' })];
    await ingestion.runOnce();
    const [a1] = await controllers.list();
    expect(a1).toMatchObject({
      engine: 'argocd',
      instance: 'a',
      status: 'ok',
      applicationCount: 1,
    });
    const firstRead = a1.lastSuccessAt!;
    const app = await store.getApplication('argocd:a:argocd:web');
    expect(app!.lastReadAt).toBe(firstRead);

    // b goes down twice: unreachable since the first failure
    argos.b.failWith = 503;
    await ingestion.runOnce();
    const since = (await controllers.list())[1].errorSince;
    await new Promise(r => setTimeout(r, 5));
    await ingestion.runOnce();
    const [a2, b2] = await controllers.list();
    expect(b2).toMatchObject({
      instance: 'b',
      status: 'unreachable',
      applicationCount: 1,
      errorSince: since,
    });
    expect(b2.lastError).toMatch(/503/);
    // a: unchanged, not rewritten, yet read again; the row says when
    expect(a2.lastSuccessAt! > firstRead).toBe(true);
    expect(
      (await store.getApplication('argocd:a:argocd:web'))!.lastReadAt,
    ).toBe(firstRead);

    argos.b.failWith = undefined;
    await ingestion.runOnce();
    const [, b3] = await controllers.list();
    expect(b3).toMatchObject({ status: 'ok' });
    expect(b3.lastError).toBeUndefined();
    expect(b3.errorSince).toBeUndefined();
  });

  it('keeps ApplicationSets with their conditions and progressive-sync steps, per instance', async () => {
    const { argos, ingestion, applicationSets } = await setup(['a', 'b']);
    const set = (name: string, steps: Array<[string, string, string]>) => ({
      metadata: { name, namespace: 'argocd' },
      spec: {
        generators: [{ list: { elements: [] } }],
        template: {
          metadata: { name: '{{name}}' },
          spec: {
            project: 'default',
            destination: { server: 'https://kubernetes.default.svc' },
          },
        },
        strategy: {
          type: 'RollingSync',
          rollingSync: {
            steps: [
              {
                matchExpressions: [
                  { key: 'environment', operator: 'In', values: ['dev'] },
                ],
              },
              {
                matchExpressions: [
                  { key: 'environment', operator: 'In', values: ['prod'] },
                ],
              },
            ],
          },
        },
      },
      status: {
        conditions: [
          {
            type: 'RolloutProgressing',
            status: 'True',
            reason: 'ApplicationSetModified',
            message: 'ApplicationSet Rollout is progressing',
            lastTransitionTime: '2026-11-23T10:00:00Z',
          },
        ],
        applicationStatus: steps.map(([application, status, step]) => ({
          application,
          status,
          step,
          message: `Application resource is ${status}`,
          lastTransitionTime: '2026-11-23T10:00:00Z',
        })),
      },
    });
    argos.a.apps = [argoApp({ name: 'web-dev' })];
    argos.a.applicationSets = [
      set('web', [
        ['web-prod', 'Waiting', '2'],
        ['web-dev', 'Progressing', '1'],
      ]),
    ];
    argos.b.applicationSets = [set('gone', [])];
    await ingestion.runOnce();
    const [web] = await applicationSets.get([
      { instance: 'a', namespace: 'argocd', name: 'web' },
    ]);
    expect(web).toMatchObject({
      instance: 'a',
      name: 'web',
      strategy: 'RollingSync',
      steps: 2,
      conditions: [
        {
          type: 'RolloutProgressing',
          status: 'True',
          message: 'ApplicationSet Rollout is progressing',
        },
      ],
      applications: [
        { application: 'web-dev', status: 'Progressing', step: 1 },
        { application: 'web-prod', status: 'Waiting', step: 2 },
      ],
    });
    expect((await applicationSets.list()).map(s => s.name)).toEqual([
      'web',
      'gone',
    ]);
    // b's set is deleted; a's cannot be read any more (RBAC): a's stay
    argos.b.applicationSets = [];
    argos.a.applicationSets = 403;
    await ingestion.runOnce();
    expect((await applicationSets.list()).map(s => s.name)).toEqual(['web']);
  });

  it.each([
    [
      'an HTML page with 200',
      () =>
        new HttpResponse('<html><body>Sign in to the proxy</body></html>', {
          status: 200,
          headers: { 'content-type': 'text/html' },
        }),
      /answered GET \/api\/v1\/applications with 200 but not JSON \(text\/html, \d+ bytes, an HTML page\)/,
    ],
    [
      'truncated JSON',
      () =>
        new HttpResponse('{"metadata":{},"items":[{"metadata":{"name":"we', {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
      /with 200 but not JSON \(application\/json, \d+ bytes, cut short\)/,
    ],
  ])(
    'survives a controller answering %s: its apps keep their state, marked stale',
    async (_name, answer, message) => {
      const { store, argos, ingestion, controllers } = await setup(['a']);
      argos.a.apps = [argoApp({ name: 'web', historyCount: 3 })];
      await ingestion.runOnce();
      server.use(http.get('https://a.argo.test/api/v1/applications', answer));
      const [report] = await ingestion.runOnce();
      expect(report.ok).toBe(false);
      expect(report.error).toMatch(message);
      const app = await store.getApplication('argocd:a:argocd:web');
      expect(app).toMatchObject({ stale: true, syncStatus: 'Synced' });
      expect((await controllers.list())[0]).toMatchObject({
        status: 'unreachable',
        lastError: expect.stringMatching(message),
      });
    },
  );

  it('keeps history past Argo CD retention of 10 entries', async () => {
    const { store, argos, ingestion } = await setup(['a']);
    argos.a.apps = [argoApp({ name: 'web', historyCount: 10 })];
    await ingestion.runOnce();
    // Argo CD rotated: entries 1-5 are gone from its history, 11-15 are new
    argos.a.apps = [argoApp({ name: 'web', historyCount: 10, historyFrom: 6 })];
    const [report] = await ingestion.runOnce();
    expect(report).toMatchObject({ ok: true, deploymentsAdded: 5 });
    const history = await store.listDeployments({
      applicationIds: ['argocd:a:argocd:web'],
      limit: 100,
    });
    expect(history).toHaveLength(15);
    expect(history[0].revisions[0]).toBe((15).toString(16).padStart(40, 'a'));
  });

  it('reads at most `concurrency` instances at a time, and reports every one', async () => {
    const { store } = await setup([]);
    const slow = slowProviders(['a', 'b', 'c', 'd', 'e'], 30);
    const ingestion = new IngestionService({
      store,
      providers: () => slow.providers,
      logger: mockServices.logger.mock(),
      instanceTimeoutMs: 2_000,
      concurrency: 2,
    });
    const reports = await ingestion.runOnce();
    expect(slow.most()).toBe(2);
    expect(reports.map(r => [r.instance, r.ok])).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map(n => [n, true]),
    );
  });

  it('splits controllers into shards, each read once, sharing one concurrency bound in the process', async () => {
    const { store } = await setup([]);
    const names = Array.from({ length: 40 }, (_, i) => `cluster-${i}`);
    const slow = slowProviders(names, 5);
    const reads = slow.reads;
    const ingestion = new IngestionService({
      store,
      providers: () => slow.providers,
      logger: mockServices.logger.mock(),
      instanceTimeoutMs: 2_000,
      concurrency: 3,
    });
    // all four shards at once, as one replica holding them all runs them
    const reports = await Promise.all(
      [0, 1, 2, 3].map(shard => ingestion.runShard(shard, 4)),
    );
    expect(reads.sort()).toEqual([...names].sort());
    expect(reports.flat()).toHaveLength(40);
    expect(slow.most()).toBe(3);
    // every shard has some, and the split is the same in every process
    for (const r of reports) expect(r.length).toBeGreaterThan(3);
    expect(reports[1].map(r => r.instance)).toEqual(
      names.filter(n => shardOf('argocd', n, 4) === 1),
    );
    expect(shardOf('argocd', 'prod-eu', 16)).toBe(
      shardOf('argocd', 'prod-eu', 16),
    );
  });

  it('writes nothing on an unchanged cycle', async () => {
    const { argos, ingestion } = await setup(['a']);
    argos.a.apps = [argoApp({ name: 'web' }), argoApp({ name: 'api' })];
    const [first] = await ingestion.runOnce();
    expect(first).toMatchObject({ written: 2, deploymentsAdded: 4 });
    const [second] = await ingestion.runOnce();
    expect(second).toMatchObject({
      ok: true,
      written: 0,
      removed: 0,
      deploymentsAdded: 0,
    });
  });

  it('isolates an instance that fails or times out; its apps go stale, nothing is lost', async () => {
    const { store, argos, ingestion } = await setup(['a', 'b', 'c']);
    for (const n of ['a', 'b', 'c']) {
      argos[n].apps = [argoApp({ name: `${n}-app`, historyCount: 3 })];
    }
    await ingestion.runOnce();

    argos.a.failWith = 500;
    argos.b.latencyMs = 5_000; // longer than the 300 ms request timeout
    argos.c.apps = [
      argoApp({ name: 'c-app', historyCount: 4, health: 'Degraded' }),
    ];
    const reports = await ingestion.runOnce();
    const byInstance = Object.fromEntries(reports.map(r => [r.instance, r]));
    expect(byInstance.a).toMatchObject({
      ok: false,
      error: expect.stringMatching(/answered 500/),
    });
    expect(byInstance.b).toMatchObject({
      ok: false,
      error: expect.stringMatching(/did not answer within 300 ms/),
    });
    expect(byInstance.c).toMatchObject({
      ok: true,
      written: 1,
      deploymentsAdded: 1,
    });

    const a = await store.getApplication('argocd:a:argocd:a-app');
    const b = await store.getApplication('argocd:b:argocd:b-app');
    const c = await store.getApplication('argocd:c:argocd:c-app');
    expect(a).toMatchObject({ stale: true, healthStatus: 'Healthy' });
    expect(b).toMatchObject({ stale: true });
    expect(c).toMatchObject({ stale: false, healthStatus: 'Degraded' });
    for (const appId of ['argocd:a:argocd:a-app', 'argocd:b:argocd:b-app']) {
      expect(
        await store.listDeployments({ applicationIds: [appId], limit: 10 }),
      ).toHaveLength(3);
    }

    // the instance recovers: fresh again
    argos.a.failWith = undefined;
    await ingestion.runOnce();
    expect((await store.getApplication('argocd:a:argocd:a-app'))?.stale).toBe(
      false,
    );
  });

  it('records a deployment it observes even when the controller keeps no history', async () => {
    const { store, argos, ingestion } = await setup(['a']);
    const app = argoApp({ name: 'web', historyCount: 0 });
    app.status!.sync!.revision = 'b'.repeat(40);
    argos.a.apps = [app];
    await ingestion.runOnce();
    const next = argoApp({ name: 'web', historyCount: 0 });
    next.status!.sync!.revision = 'c'.repeat(40);
    next.status!.operationState = {
      phase: 'Succeeded',
      startedAt: '2026-11-05T10:00:00Z',
      finishedAt: '2026-11-05T10:00:10Z',
      syncResult: { revision: 'c'.repeat(40) },
    };
    argos.a.apps = [next];
    await ingestion.runOnce();
    const history = await store.listDeployments({
      applicationIds: ['argocd:a:argocd:web'],
      limit: 10,
    });
    expect(history).toEqual([
      expect.objectContaining({
        origin: 'observed',
        revisions: ['c'.repeat(40)],
      }),
    ]);
  });
});
