import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import request from 'supertest';
import { argoApp, helmApp } from './__fixtures__/argo';
import { argoHandlers, fakeArgo } from './__testUtils__/argoServer';
import { capturingLogger } from './__testUtils__/capturingLogger';
import { validateResponse } from './__testUtils__/openapi';
import {
  argoInstance,
  backendTestServer,
  startGitopsTestBackend,
} from './__testUtils__/testBackend';

jest.setTimeout(60_000);

const server = backendTestServer();

const ARGO_TOKEN = 'argo-token-SHOULD-NEVER-LEAK';
const ARGO_PASSWORD = 'argo-password-SHOULD-NEVER-LEAK';

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'checkout',
      namespace: 'default',
      annotations: { 'argocd/app-selector': 'app.kubernetes.io/name=checkout' },
    },
    spec: {
      type: 'service',
      owner: 'group:default/team-a',
      lifecycle: 'production',
    },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments',
      namespace: 'default',
      annotations: {
        'argocd/app-name': 'payments',
        'argocd/instance-name': 'main',
      },
    },
    spec: {
      type: 'service',
      owner: 'group:default/team-b',
      lifecycle: 'production',
    },
    relations: [{ type: 'ownedBy', targetRef: 'group:default/team-b' }],
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'broken',
      namespace: 'default',
      annotations: { 'argocd/app-selector': 'app in (checkout,cart' },
    },
    spec: {
      type: 'service',
      owner: 'group:default/team-b',
      lifecycle: 'production',
    },
  },
];

const checkout = (env: string, historyCount = 3) =>
  argoApp({
    name: `checkout-${env}`,
    labels: { 'app.kubernetes.io/name': 'checkout', environment: env },
    historyCount,
  });

async function startBackend(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  } = {},
) {
  const actionsRegistry = actionsRegistryServiceMock.mock();
  const main = fakeArgo('https://main.argo.test', {
    apps: [
      checkout('dev', 30),
      checkout('staging'),
      checkout('prod'),
      argoApp({ name: 'payments', labels: { environment: 'prod' } }),
      helmApp('monitoring'),
    ],
    tokens: new Set([ARGO_TOKEN]),
  });
  const other = fakeArgo('https://other.argo.test', {
    apps: [
      argoApp({
        name: 'payments',
        health: 'Degraded',
        healthMessage: 'CrashLoopBackOff',
      }),
    ],
    tokens: new Set(),
    users: { backstage: ARGO_PASSWORD },
  });
  server.use(...argoHandlers(main), ...argoHandlers(other));
  const logger = capturingLogger();
  const { server: httpServer } = await startGitopsTestBackend({
    entities,
    features: [
      logger.factory,
      actionsRegistry.factory,
      mockServices.permissions.factory(
        options.permission ? { result: options.permission } : undefined,
      ),
    ],
    gitops: {
      environments: { order: ['dev', 'staging', 'prod'] },
      argocd: {
        instances: [
          argoInstance('main', 'https://main.argo.test', ARGO_TOKEN),
          {
            name: 'other',
            url: 'https://other.argo.test',
            username: 'backstage',
            password: ARGO_PASSWORD,
          },
        ],
      },
    },
  });
  return {
    app: checkedAgent(request(httpServer)),
    raw: request(httpServer),
    main,
    other,
    logs: logger.lines,
    actionsRegistry,
  };
}

const auth = { Authorization: mockCredentials.user.header() };

/** Every response of the agent must match the OpenAPI schema. */
function checkedAgent(agent: ReturnType<typeof request>) {
  const wrap = (method: 'get' | 'post') => (url: string) => {
    const test = agent[method](url);
    const then = test.then.bind(test);
    (test as any).then = (resolve: any, reject: any) =>
      then((res: request.Response) => {
        const errors = validateResponse({
          status: res.status,
          body: res.body,
          req: { method: method.toUpperCase(), path: url },
        });
        if (errors.length) {
          throw new Error(
            `Response does not match openapi.yaml:\n${errors.join('\n')}`,
          );
        }
        return res;
      }).then(resolve, reject);
    return test;
  };
  return { get: wrap('get'), post: wrap('post') };
}

describe('gitops backend plugin', () => {
  it('answers health without credentials', async () => {
    const { app } = await startBackend();
    const res = await app.get('/api/gitops/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('requires credentials for data', async () => {
    const { app } = await startBackend();
    const res = await app
      .get('/api/gitops/fleet')
      .set('Authorization', mockCredentials.user.invalidHeader());
    expect(res.status).toBe(401);
  });

  it('serves an entity its deployments grouped by environment in promotion order', async () => {
    const { app } = await startBackend();
    const res = await app
      .get('/api/gitops/entities/component/default/checkout/deployments')
      .set(auth);
    expect(res.status).toBe(200);
    expect(res.body.entityRef).toBe('component:default/checkout');
    expect(res.body.environments.map((e: any) => e.environment)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    expect(res.body.environments[0].applications[0]).toMatchObject({
      name: 'checkout-dev',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
    });
  });

  it('serves the ApplicationSets read with the applications (none here), as the spec says', async () => {
    const { app } = await startBackend();
    const res = await app.get('/api/gitops/applicationsets').set(auth);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [] });
  });

  it('serves each controller read status, and applications read at their controller last read', async () => {
    const { app } = await startBackend();
    const res = await app.get('/api/gitops/controllers').set(auth);
    expect(res.status).toBe(200);
    expect(
      res.body.items.map((c: any) => [c.engine, c.instance, c.status]),
    ).toEqual([
      ['argocd', 'main', 'ok'],
      ['argocd', 'other', 'ok'],
    ]);
    const main = res.body.items[0];
    const deployments = await app
      .get('/api/gitops/entities/component/default/checkout/deployments')
      .set(auth);
    for (const env of deployments.body.environments)
      for (const a of env.applications)
        expect(a.lastReadAt).toBe(main.lastSuccessAt);
    const anonymous = await app
      .get('/api/gitops/controllers')
      .set('Authorization', mockCredentials.user.invalidHeader());
    expect(anonymous.status).toBe(401);
  });

  it('restricts an entity to the instance its annotation names', async () => {
    const { app } = await startBackend();
    const res = await app
      .get('/api/gitops/entities/component/default/payments/deployments')
      .set(auth);
    const apps = res.body.environments.flatMap((e: any) => e.applications);
    expect(apps.map((a: any) => a.id)).toEqual(['argocd:main:argocd:payments']);
  });

  it('pages the history with a cursor and filters by environment', async () => {
    const { app } = await startBackend();
    const base = '/api/gitops/entities/component/default/checkout/history';
    const first = await app.get(`${base}?limit=5`).set(auth);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(5);
    const second = await app
      .get(`${base}?limit=5&cursor=${first.body.nextCursor}`)
      .set(auth);
    expect(second.body.items).toHaveLength(5);
    expect(
      second.body.items[0].finishedAt <= first.body.items[4].finishedAt,
    ).toBe(true);
    const staging = await app
      .get(`${base}?environment=staging&limit=100`)
      .set(auth);
    expect(staging.body.items).toHaveLength(3);
    expect(staging.body.nextCursor).toBeUndefined();
    // dev has 30 deployments in Argo's own history listing (of which it keeps 10)
    const dev = await app.get(`${base}?environment=dev&limit=100`).set(auth);
    expect(dev.body.items).toHaveLength(10);
  });

  it.each([
    ['limit=0', /limit/],
    ['limit=abc', /limit/],
    ['cursor=not-a-cursor', /Invalid cursor/],
    ['from=yesterday', /query\/from must match format "date-time"/],
    ['environment=', /environment/],
    ['bogus=1', /Unknown query parameter 'bogus'/],
  ])('rejects bad history input %s with 400', async (query, message) => {
    const { app } = await startBackend();
    const res = await app
      .get(`/api/gitops/entities/component/default/checkout/history?${query}`)
      .set(auth);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(message);
  });

  it('serves delivery metrics of an entity, its team, the fleet and the teams, as the spec says', async () => {
    const { app } = await startBackend();
    const entity = await app
      .get('/api/gitops/metrics/entities/component/default/checkout?window=7')
      .set(auth);
    expect(entity.status).toBe(200);
    expect(entity.body).toMatchObject({
      scope: 'component:default/checkout',
      environment: 'prod',
      window: { days: 7 },
    });
    // a bucket for every UTC day the 7 × 24 h touch: today is the last one
    const { from, to } = entity.body.window;
    const days = (iso: string) => Math.floor(Date.parse(iso) / 86_400_000);
    expect(entity.body.daily).toHaveLength(days(to) - days(from) + 1);
    expect(entity.body.daily.at(-1).date).toBe(to.slice(0, 10));
    // every environment of the chart in one call, each as its own call says
    const base = '/api/gitops/metrics/entities/component/default/checkout';
    const both = await app
      .get(`${base}/environments?environment=staging,prod&window=7`)
      .set(auth);
    expect(both.status).toBe(200);
    expect(both.body.items.map((m: any) => m.environment)).toEqual([
      'staging',
      'prod',
    ]);
    // the same measure as the single call (only "now" differs)
    const { window: _w, ...rest } = both.body.items[1];
    const { window: _e, ...single } = entity.body;
    expect(rest).toEqual(single);
    for (const query of ['', `environment=${Array(21).fill('e').join(',')}`]) {
      const res = await app.get(`${base}/environments?${query}`).set(auth);
      expect([query, res.status]).toEqual([query, 400]);
    }
    for (const path of [
      '/api/gitops/metrics/entities/component/default/checkout?environment=staging',
      '/api/gitops/metrics/fleet?window=90',
      '/api/gitops/metrics/teams',
    ]) {
      expect((await app.get(path).set(auth)).status).toBe(200);
    }
    for (const query of ['window=14', 'window=abc', 'environment=', 'x=1']) {
      const res = await app.get(`/api/gitops/metrics/fleet?${query}`).set(auth);
      expect([query, res.status]).toEqual([query, 400]);
    }
    // teams and systems must be in the catalog
    const unknown = await app
      .get('/api/gitops/metrics/groups/default/team-a')
      .set(auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(
      /Entity 'group:default\/team-a' not found/,
    );
    expect(
      (await app.get('/api/gitops/metrics/systems/default/nope').set(auth))
        .status,
    ).toBe(404);
  });

  it('answers 404 for unknown entities and applications, 400 for bad annotations', async () => {
    const { app } = await startBackend();
    expect(
      (
        await app
          .get('/api/gitops/entities/component/default/nope/deployments')
          .set(auth)
      ).status,
    ).toBe(404);
    expect(
      (
        await app
          .get('/api/gitops/applications/argocd:main:argocd:nope')
          .set(auth)
      ).status,
    ).toBe(404);
    const broken = await app
      .get('/api/gitops/entities/component/default/broken/deployments')
      .set(auth);
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(
      /Entity 'component:default\/broken' has an invalid GitOps annotation: Unbalanced '\(' in label selector 'app in \(checkout,cart'/,
    );
  });

  it('lists the fleet failing first with filters, across instances', async () => {
    const { app } = await startBackend();
    const all = await app.get('/api/gitops/fleet').set(auth);
    expect(all.status).toBe(200);
    expect(all.body.totalCount).toBe(6);
    expect(all.body.items[0]).toMatchObject({
      id: 'argocd:other:argocd:payments',
      healthStatus: 'Degraded',
      message: 'CrashLoopBackOff',
    });
    const outOfSync = await app
      .get('/api/gitops/fleet?syncStatus=OutOfSync')
      .set(auth);
    expect(outOfSync.body.items.map((a: any) => a.name)).toEqual([
      'monitoring',
    ]);
    const owned = await app
      .get('/api/gitops/fleet?owner=group:default/team-a')
      .set(auth);
    expect(owned.body.error?.message).toBeUndefined();
    expect(owned.body.items.map((a: any) => a.name).sort()).toEqual([
      'checkout-dev',
      'checkout-prod',
      'checkout-staging',
    ]);
    // a group's name is the group, as the catalog reads spec.owner
    const byName = await app.get('/api/gitops/fleet?owner=team-a').set(auth);
    expect(byName.body.items.map((a: any) => a.name).sort()).toEqual([
      'checkout-dev',
      'checkout-prod',
      'checkout-staging',
    ]);
    const notARef = await app
      .get('/api/gitops/fleet?owner=group:default/')
      .set(auth);
    expect(notARef.status).toBe(400);
    const paged = await app.get('/api/gitops/fleet?limit=4').set(auth);
    expect(paged.body.items).toHaveLength(4);
    const rest = await app
      .get(`/api/gitops/fleet?limit=4&cursor=${paged.body.nextCursor}`)
      .set(auth);
    expect(rest.body.items).toHaveLength(2);
    const bad = await app.get('/api/gitops/fleet?healthStatus=Sick').set(auth);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/healthStatus.*allowed values/);
    const several = await app
      .get('/api/gitops/fleet?healthStatus=Degraded,Healthy&engine=argocd')
      .set(auth);
    expect(several.status).toBe(200);
    expect(several.body.items[0].healthStatus).toBe('Degraded');
    for (const query of ['engine=helm', 'limit=1001', 'text=', 'owner=']) {
      const res = await app.get(`/api/gitops/fleet?${query}`).set(auth);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it('serves the service × environment matrix aggregated over instances, and drills down to a cell', async () => {
    const { app } = await startBackend();
    const res = await app.get('/api/gitops/fleet/matrix').set(auth);
    expect(res.status).toBe(200);
    const payments = res.body.rows.find((r: any) => r.service === 'payments');
    // payments: healthy in prod on one instance, degraded on the other
    // (which labels no environment)
    expect(payments.cells).toEqual([
      expect.objectContaining({
        environment: 'prod',
        total: 1,
        degraded: 0,
        health: 'Healthy',
        revisions: [{ revision: `${'a'.repeat(39)}2`, count: 1 }],
      }),
      expect.objectContaining({
        environment: 'default',
        total: 1,
        degraded: 1,
        health: 'Degraded',
      }),
    ]);
    const checkoutRow = res.body.rows.find(
      (r: any) => r.service === 'checkout',
    );
    expect(checkoutRow.cells.map((c: any) => [c.environment, c.total])).toEqual(
      res.body.environments
        .filter((e: string) => ['dev', 'staging', 'prod'].includes(e))
        .map((e: string) => [e, 1]),
    );
    // a cell's drill-down: the fleet of one service in one environment
    const cell = await app
      .get('/api/gitops/fleet?service=payments&environment=default')
      .set(auth);
    expect(cell.body.items.map((a: any) => a.id)).toEqual([
      'argocd:other:argocd:payments',
    ]);
    // the list's filters narrow the matrix too, the same applications
    const narrowed = async (query: string) => {
      const [matrix, list] = await Promise.all([
        app.get(`/api/gitops/fleet/matrix?${query}`).set(auth),
        app.get(`/api/gitops/fleet?${query}&limit=1000`).set(auth),
      ]);
      expect(matrix.status).toBe(200);
      const counted = matrix.body.rows.reduce(
        (n: number, r: any) =>
          n + r.cells.reduce((m: number, c: any) => m + c.total, 0),
        0,
      );
      expect([query, counted]).toEqual([query, list.body.totalCount]);
      return matrix.body.rows.map((r: any) => r.service).sort();
    };
    expect(await narrowed('healthStatus=Degraded')).toEqual(['payments']);
    expect(await narrowed('owner=team-a')).toEqual(['checkout']);
    expect(await narrowed('text=checkout-prod')).toEqual(['checkout']);
    expect(await narrowed('environment=staging&syncStatus=Synced')).toEqual(
      expect.arrayContaining(['checkout']),
    );
    const bad = await app.get('/api/gitops/fleet/matrix?engine=helm').set(auth);
    expect(bad.status).toBe(400);
  });

  it('exports who did what in a range, as JSON and as CSV safe for spreadsheets; bounded', async () => {
    const { app, raw } = await startBackend();
    const q = (from: string, to: string) =>
      new URLSearchParams({ from, to }).toString();
    const range = q('2000-01-01T00:00:00Z', '2000-12-31T00:00:00Z');
    // nothing in 2000
    const empty = await app.get(`/api/gitops/audit?${range}`).set(auth);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      from: '2000-01-01T00:00:00.000Z',
      to: '2000-12-31T00:00:00.000Z',
      truncated: false,
      records: [],
    });
    // the last year: every deployment the history of checkout shows is in it
    const to = new Date(Date.now() + 60_000).toISOString();
    const from = new Date(Date.now() - 365 * 24 * 3600_000).toISOString();
    const year = await app.get(`/api/gitops/audit?${q(from, to)}`).set(auth);
    expect(year.status).toBe(200);
    const history = await app
      .get('/api/gitops/entities/component/default/checkout/history?limit=100')
      .set(auth);
    const key = (x: any) =>
      `${x.applicationId ?? x.application} ${x.finishedAt ?? x.at} ${
        x.revisions?.join(' ') ?? x.revision
      }`;
    const exported = new Map<string, any>(
      year.body.records
        .filter((r: any) => r.type === 'deployment')
        .map((r: any) => [key(r), r]),
    );
    expect(history.body.items.length).toBeGreaterThan(10);
    for (const d of history.body.items) {
      expect(exported.has(key(d))).toBe(true);
      // with the commits it brought, as the history tells them
      expect(exported.get(key(d)).commits).toBe(d.changes?.count);
    }
    // oldest first
    const ats = year.body.records.map((r: any) => r.at);
    expect([...ats].sort()).toEqual(ats);
    // CSV: one line per record, under a header
    const csv = await raw
      .get(`/api/gitops/audit?${q(from, to)}&format=csv`)
      .set(auth);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(
      /attachment; filename="gitops-audit-/,
    );
    const lines = csv.text.split('\r\n');
    expect(lines[0]).toBe(
      'at,type,entityRef,environment,application,revision,result,kind,commits,by,override,note,url',
    );
    expect(lines).toHaveLength(year.body.records.length + 1);
    // bounds
    for (const query of [
      new URLSearchParams({ from: '2026-01-01T00:00:00Z' }).toString(),
      q('2024-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
      q('2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z'),
      q('yesterday', '2026-01-01T00:00:00Z'),
      `${range}&format=xml`,
    ]) {
      const res = await app.get(`/api/gitops/audit?${query}`).set(auth);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it('guards fleet-wide reads with gitops.fleet.read; entity pages need only the catalog', async () => {
    const { app } = await startBackend({ permission: AuthorizeResult.DENY });
    const audit = await app
      .get(
        `/api/gitops/audit?${new URLSearchParams({
          from: '2026-01-01T00:00:00Z',
          to: '2026-02-01T00:00:00Z',
        })}`,
      )
      .set(auth);
    expect(audit.status).toBe(403);
    expect(audit.body.error.message).toBe(
      'Exporting the audit needs gitops.audit.read',
    );
    for (const path of [
      '/api/gitops/fleet',
      '/api/gitops/controllers',
      '/api/gitops/applicationsets',
      '/api/gitops/fleet/matrix',
      '/api/gitops/metrics/fleet',
      '/api/gitops/metrics/teams',
    ]) {
      const res = await app.get(path).set(auth);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(res.body.error.message).toBe(
        'Not allowed to read the GitOps fleet',
      );
    }
    const entity = await app
      .get('/api/gitops/entities/component/default/checkout/deployments')
      .set(auth);
    expect(entity.status).toBe(200);
  });

  it('refuses refresh and sync without permission and reaches no controller', async () => {
    const { app, main, logs } = await startBackend({
      permission: AuthorizeResult.DENY,
    });
    const before = main.requests.length;
    for (const action of ['refresh', 'sync', 'suspend', 'resume']) {
      const res = await app
        .post(
          `/api/gitops/entities/component/default/checkout/applications/argocd:main:argocd:checkout-dev/${action}`,
        )
        .set(auth);
      expect(res.status).toBe(403);
      const unowned = await app
        .post(
          `/api/gitops/applications/argocd:main:argocd:monitoring/${action}`,
        )
        .set(auth);
      expect(unowned.status).toBe(403);
    }
    expect(main.requests.length).toBe(before);
    const audit = logs.filter(l => l.includes('application-sync'));
    expect(audit.some(l => l.includes('"status":"failed"'))).toBe(true);
  });

  it('proposes promotions only with permission and answers bad input with 400', async () => {
    const changes = '/api/gitops/entities/component/default/checkout/changes';
    const denied = await startBackend({ permission: AuthorizeResult.DENY });
    const forbidden = await denied.app
      .post(changes)
      .set(auth)
      .send({ action: 'promote', environment: 'prod', dryRun: true });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.message).toBe(
      'Not allowed to promote component:default/checkout',
    );
    expect(
      denied.logs.some(
        l => l.includes('application-promote') && l.includes('"failed"'),
      ),
    ).toBe(true);

    const { app } = await startBackend();
    const bad = await app
      .post(changes)
      .set(auth)
      .send({ action: 'deploy', environment: 'prod' });
    expect(bad.status).toBe(400);
    const noRule = await app
      .post(changes)
      .set(auth)
      .send({ action: 'promote', environment: 'prod' });
    expect(noRule.status).toBe(400);
    expect(noRule.body.error.message).toMatch(
      /^No promotion rule for prod: add the gitops-portal.io\/promotion annotation/,
    );
    const options = await app.get(changes).set(auth);
    expect(options.status).toBe(200);
    expect(options.body.environments.map((e: any) => e.environment)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    expect(options.body.proposals).toEqual([]);
  });

  it('registers its reads and proposals with the actions registry, checked like the API', async () => {
    const { actionsRegistry } = await startBackend({
      permission: AuthorizeResult.DENY,
    });
    const actions = new Map(
      actionsRegistry.register.mock.calls.map(([a]) => [a.name, a]),
    );
    expect([...actions.keys()].sort()).toEqual([
      'get-entity-changes',
      'get-entity-deployments',
      'get-entity-history',
      'propose-promotion',
      'propose-rollback',
    ]);
    const run = (name: string, input: object) =>
      actions.get(name)!.action({
        input,
        credentials: mockCredentials.user(),
        logger: mockServices.logger.mock(),
      } as any);
    const read = (await run('get-entity-deployments', {
      entityRef: 'component:default/checkout',
    })) as any;
    expect(read.output.environments.map((e: any) => e.environment)).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    await expect(
      run('propose-promotion', {
        entityRef: 'component:default/checkout',
        environment: 'prod',
        dryRun: true,
      }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('refreshes and syncs with permission, through the backend', async () => {
    const { app, main, other, logs } = await startBackend({
      permission: AuthorizeResult.ALLOW,
    });
    const base =
      '/api/gitops/entities/component/default/checkout/applications/argocd:main:argocd:checkout-dev';
    expect((await app.post(`${base}/refresh`).set(auth)).status).toBe(202);
    expect((await app.post(`${base}/sync`).set(auth)).status).toBe(202);
    expect(main.requests.slice(-2).map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/applications/checkout-dev',
      'POST /api/v1/applications/checkout-dev/sync',
    ]);
    // an app that does not belong to the entity named in the path
    const foreign = await app
      .post(
        '/api/gitops/entities/component/default/checkout/applications/argocd:other:argocd:payments/sync',
      )
      .set(auth);
    expect(foreign.status).toBe(400);
    const unowned = await app
      .post('/api/gitops/applications/argocd:other:argocd:payments/refresh')
      .set(auth);
    expect(unowned.status).toBe(202);
    expect(other.requests.at(-1)?.auth).toMatch(/^Bearer session-/);
    // recorded with the auditor service
    const audit = logs.filter(l => l.includes('application-sync'));
    expect(audit.some(l => l.includes('"status":"succeeded"'))).toBe(true);
    expect(audit.join('\n')).toContain('argocd:main:argocd:checkout-dev');
  });

  it('never puts a token or password in responses or logs', async () => {
    const { app, logs } = await startBackend({
      permission: AuthorizeResult.ALLOW,
    });
    server.use(
      ...argoHandlers(fakeArgo('https://main.argo.test', { failWith: 500 })),
    );
    const bodies = [
      await app.get('/api/gitops/fleet').set(auth),
      await app
        .get('/api/gitops/applications/argocd:main:argocd:checkout-dev')
        .set(auth),
      await app
        .get('/api/gitops/entities/component/default/checkout/deployments')
        .set(auth),
      await app
        .post('/api/gitops/applications/argocd:main:argocd:monitoring/sync')
        .set(auth),
    ].map(r => JSON.stringify(r.body));
    // a controller failure is a 503 naming the instance, not a 500
    expect(bodies[3]).toMatch(
      /Could not sync 'monitoring' on argocd instance 'main'.*answered 500/,
    );
    expect(logs.length).toBeGreaterThan(0);
    for (const text of [...bodies, ...logs]) {
      expect(text).not.toContain(ARGO_TOKEN);
      expect(text).not.toContain(ARGO_PASSWORD);
    }
  });
});
