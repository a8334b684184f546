import { TestDatabases } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import {
  HEALTH_STATUSES,
  HealthStatus,
  SYNC_STATUSES,
  SyncStatus,
  parseLabelSelector,
  severityOf,
} from '@gitops-portal/plugin-gitops-common';
import { DatabaseGitopsStore } from './DatabaseGitopsStore';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { FleetFilter, NewDeployment } from './GitopsStore';
import { DatabaseEntityLinkStore } from './EntityLinkStore';
import { readArgoEvent } from '../providers/argocd/events';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
});

function deployment(
  applicationId: string,
  i: number,
  overrides: Partial<NewDeployment> = {},
): NewDeployment {
  const finishedAt = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
  return {
    applicationId,
    dedupeKey: `${applicationId}@${finishedAt}`,
    environment: 'dev',
    revisions: [String(i).padStart(40, '0')],
    finishedAt,
    result: 'Succeeded',
    origin: 'controller-history',
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('DatabaseGitopsStore (%s)', id => {
  async function createStore() {
    const knex = await databases.init(id);
    const store = await DatabaseGitopsStore.create({
      database: { getClient: async () => knex },
    });
    return { knex, store };
  }

  it("leaves out what a reader may not read: applications claimed only by others' entities", async () => {
    const { knex, store } = await createStore();
    const apps = ['a-dev', 'b-dev', 'b-prod', 'shared', 'free'].map(name =>
      makeApplication({
        name,
        labels: { 'app.kubernetes.io/name': name.split('-')[0] },
      }),
    );
    await store.upsertApplications(apps);
    const idOf = (name: string) => apps.find(a => a.name === name)!.id;
    const links = new DatabaseEntityLinkStore(knex);
    expect(
      await links.replace([
        { entityRef: 'component:default/a', applicationId: idOf('a-dev') },
        { entityRef: 'component:default/b', applicationId: idOf('b-dev') },
        { entityRef: 'component:default/b', applicationId: idOf('b-prod') },
        { entityRef: 'component:default/a', applicationId: idOf('shared') },
        { entityRef: 'component:default/b', applicationId: idOf('shared') },
      ]),
    ).toEqual({ added: 5, removed: 0 });
    const names = async (readable?: string[]) =>
      (await store.listFleet({ limit: 10, readable })).items
        .map(a => a.name)
        .sort();
    expect(await names()).toEqual([
      'a-dev',
      'b-dev',
      'b-prod',
      'free',
      'shared',
    ]);
    expect(await names(['component:default/a'])).toEqual([
      'a-dev',
      'free',
      'shared',
    ]);
    expect(await names([])).toEqual(['free']);
    const matrix = await store.fleetMatrix({
      readable: ['component:default/b'],
    });
    expect(matrix.map(g => g.service).sort()).toEqual(['b', 'free', 'shared']);
    expect(await links.entityRefs()).toEqual([
      'component:default/a',
      'component:default/b',
    ]);
    // a new set: only the difference is written
    expect(
      await links.replace([
        { entityRef: 'component:default/a', applicationId: idOf('a-dev') },
        { entityRef: 'component:default/a', applicationId: idOf('b-dev') },
      ]),
    ).toEqual({ added: 1, removed: 4 });
    expect(await names(['component:default/a'])).toEqual([
      'a-dev',
      'b-dev',
      'b-prod',
      'free',
      'shared',
    ]);
    expect(
      (await links.entitiesOf([idOf('b-dev')])).get(idOf('b-dev')),
    ).toEqual(['component:default/a']);
  });

  it('writes only applications whose state changed', async () => {
    const { store } = await createStore();
    const apps = [
      makeApplication({ name: 'a', labels: { team: 'x' } }),
      makeApplication({ name: 'b' }),
    ];
    expect(await store.upsertApplications(apps)).toBe(2);
    // same state, later read time: no write
    const reread = apps.map(a => ({
      ...a,
      lastReadAt: '2026-11-02T00:00:00Z',
    }));
    expect(await store.upsertApplications(reread)).toBe(0);
    expect(
      await store.upsertApplications([
        { ...apps[0], healthStatus: 'Degraded' },
      ]),
    ).toBe(1);
    const stored = await store.getApplication(apps[0].id);
    expect(stored?.healthStatus).toBe('Degraded');
    expect(stored?.labels).toEqual({ team: 'x' });
  });

  it('keeps since when an application has been out of sync, across reads', async () => {
    const { store } = await createStore();
    const read = (
      syncStatus: 'Synced' | 'OutOfSync',
      at: string,
      message?: string,
    ) =>
      store.upsertApplications([
        makeApplication({ name: 'a', syncStatus, lastReadAt: at, message }),
      ]);
    const since = async () =>
      (await store.getApplication('argocd:main:argocd:a'))?.outOfSyncSince;
    await read('Synced', '2026-11-23T10:00:00.000Z');
    expect(await since()).toBeUndefined();
    await read('OutOfSync', '2026-11-23T10:01:00.000Z');
    expect(await since()).toBe('2026-11-23T10:01:00.000Z');
    // still out of sync, something else changed: the same since
    await read('OutOfSync', '2026-11-23T10:05:00.000Z', 'one resource differs');
    expect(await since()).toBe('2026-11-23T10:01:00.000Z');
    await read('Synced', '2026-11-23T10:06:00.000Z');
    expect(await since()).toBeUndefined();
    await read('OutOfSync', '2026-11-23T10:09:00.000Z');
    expect(await since()).toBe('2026-11-23T10:09:00.000Z');
  });

  it('removes applications gone from an instance but keeps their history', async () => {
    const { store } = await createStore();
    const a = makeApplication({ name: 'a' });
    const b = makeApplication({ name: 'b' });
    const other = makeApplication({ name: 'a', instance: 'other' });
    await store.syncInstance({
      engine: 'argocd',
      instance: 'main',
      applications: [a, b],
    });
    await store.syncInstance({
      engine: 'argocd',
      instance: 'other',
      applications: [other],
    });
    await store.addDeployments([deployment(b.id, 1)]);
    const result = await store.syncInstance({
      engine: 'argocd',
      instance: 'main',
      applications: [a],
    });
    expect(result).toEqual({ written: 0, removed: 1 });
    expect(await store.getApplication(b.id)).toBeUndefined();
    expect(await store.getApplication(other.id)).toBeDefined();
    const history = await store.listDeployments({
      applicationIds: [b.id],
      limit: 10,
    });
    expect(history).toHaveLength(1);
  });

  it('marks an instance stale without losing its state', async () => {
    const { store } = await createStore();
    const a = makeApplication({ name: 'a' });
    await store.upsertApplications([a]);
    expect(
      await store.markInstanceStale({ engine: 'argocd', instance: 'main' }),
    ).toBe(1);
    const stored = await store.getApplication(a.id);
    expect(stored).toMatchObject({ stale: true, revisions: a.revisions });
    expect(stored?.lastReadAt).toBe(a.lastReadAt);
    // a later good read clears the flag
    expect(await store.upsertApplications([a])).toBe(1);
    expect((await store.getApplication(a.id))?.stale).toBe(false);
  });

  it('stores each deployment once', async () => {
    const { store } = await createStore();
    const deployments = [1, 2, 3].map(i => deployment('app', i));
    expect(await store.addDeployments(deployments)).toBe(3);
    expect(
      await store.addDeployments([...deployments, deployment('app', 4)]),
    ).toBe(1);
    expect(
      await store.listDeployments({ applicationIds: ['app'], limit: 100 }),
    ).toHaveLength(4);
  });

  it('records a deployment read as an event and from history once, keeping its id', async () => {
    const { store } = await createStore();
    const rev = ['1'.repeat(40)];
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 1, s));
    // the webhook arrives first: Argo CD's operationState.finishedAt
    await store.addDeployments([
      deployment('app', 1, {
        origin: 'event',
        dedupeKey: 'e1',
        revisions: rev,
        finishedAt: at(1).toISOString(),
        initiatedBy: 'alice',
        message: 'successfully synced',
      }),
    ]);
    const [event] = await store.listDeployments({
      applicationIds: ['app'],
      limit: 10,
    });
    // the poll reads history[].deployedAt a second later, at second precision
    expect(
      await store.addDeployments([
        deployment('app', 1, {
          dedupeKey: 'h1',
          revisions: rev,
          finishedAt: '2026-01-01T00:01:02Z',
          startedAt: '2026-01-01T00:00:50Z',
          initiatedBy: 'automated',
        }),
        // the same revision deployed again a minute later is another deployment
        deployment('app', 2, { dedupeKey: 'h2', revisions: rev }),
      ]),
    ).toBe(1);
    // and the next poll's history changes nothing
    expect(
      await store.addDeployments([
        deployment('app', 1, {
          dedupeKey: 'h1',
          revisions: rev,
          finishedAt: '2026-01-01T00:01:02Z',
        }),
      ]),
    ).toBe(0);
    // a late redelivery of the event neither
    expect(
      await store.addDeployments([
        deployment('app', 1, {
          origin: 'event',
          dedupeKey: 'e1-again',
          revisions: rev,
          finishedAt: at(1).toISOString(),
        }),
      ]),
    ).toBe(0);
    const rows = await store.listDeployments({
      applicationIds: ['app'],
      limit: 10,
    });
    expect(
      rows.map(r => [r.id === event.id, r.origin, r.finishedAt, r.message]),
    ).toEqual([
      [false, 'controller-history', '2026-01-01T00:02:00.000Z', undefined],
      [
        true,
        'controller-history',
        '2026-01-01T00:01:02.000Z',
        'successfully synced',
      ],
    ]);
    expect(rows[1]).toMatchObject({
      initiatedBy: 'automated',
      startedAt: '2026-01-01T00:00:50.000Z',
    });
  });

  it('pages history newest first with filters', async () => {
    const { store } = await createStore();
    await store.addDeployments([
      ...Array.from({ length: 25 }, (_, i) => deployment('app', i)),
      ...Array.from({ length: 5 }, (_, i) =>
        deployment('app', 100 + i, { environment: 'prod', dedupeKey: `p${i}` }),
      ),
    ]);
    const first = await store.listDeployments({
      applicationIds: ['app'],
      limit: 10,
    });
    expect(first.map(d => d.environment).slice(0, 5)).toEqual(
      Array(5).fill('prod'),
    );
    const last = first[first.length - 1];
    const second = await store.listDeployments({
      applicationIds: ['app'],
      limit: 100,
      cursor: { finishedAt: last.finishedAt, id: last.id },
    });
    expect(second).toHaveLength(20);
    expect(second[0].finishedAt < last.finishedAt).toBe(true);
    const prod = await store.listDeployments({
      applicationIds: ['app'],
      environment: ['prod'],
      limit: 100,
    });
    expect(prod).toHaveLength(5);
    const ranged = await store.listDeployments({
      applicationIds: ['app'],
      from: new Date(Date.UTC(2026, 0, 1, 0, 10)).toISOString(),
      to: new Date(Date.UTC(2026, 0, 1, 0, 20)).toISOString(),
      limit: 100,
    });
    expect(ranged).toHaveLength(10);
  });

  it('finds applications by name, label selector, instance and namespace', async () => {
    const { store } = await createStore();
    await store.upsertApplications([
      makeApplication({ name: 'web-dev', labels: { app: 'web', tier: 'fe' } }),
      makeApplication({
        name: 'web-prod',
        instance: 'prod',
        labels: { app: 'web' },
      }),
      makeApplication({
        name: 'api',
        namespace: 'team-a',
        labels: { app: 'api' },
      }),
    ]);
    const names = (apps: { name: string }[]) => apps.map(a => a.name).sort();
    const bySelector = async (selector: string) =>
      names(
        await store.findApplications([
          { labels: parseLabelSelector(selector) },
        ]),
      );
    expect(await bySelector('app=web')).toEqual(['web-dev', 'web-prod']);
    expect(await bySelector('app==web,tier=fe')).toEqual(['web-dev']);
    expect(await bySelector('app!=web')).toEqual(['api']);
    expect(await bySelector('app in (web,api)')).toEqual([
      'api',
      'web-dev',
      'web-prod',
    ]);
    expect(await bySelector('app notin (api)')).toEqual([
      'web-dev',
      'web-prod',
    ]);
    expect(await bySelector('tier')).toEqual(['web-dev']);
    expect(await bySelector('!tier')).toEqual(['api', 'web-prod']);
    expect(await bySelector('app=web,!tier')).toEqual(['web-prod']);
    expect(await bySelector('tier!=fe')).toEqual(['api', 'web-prod']);
    expect(await bySelector('app=web,app in (api)')).toEqual([]);
    expect(await bySelector('app=nothing')).toEqual([]);
    expect(
      names(
        await store.findApplications([
          { names: ['web-prod', 'api'], instance: 'main' },
        ]),
      ),
    ).toEqual(['api']);
    expect(
      names(
        await store.findApplications([{ names: ['api'], namespace: 'team-a' }]),
      ),
    ).toEqual(['api']);
    expect(await store.findApplications([])).toEqual([]);
  });

  it('finds heads by label selector as it finds applications, service label or not', async () => {
    const { store } = await createStore();
    await store.upsertApplications([
      // the service label
      makeApplication({
        name: 'edge-a',
        instance: 'c1',
        labels: { 'app.kubernetes.io/name': 'edge', tier: 'web' },
        revisions: ['r1'],
        applicationSet: 'edge-set',
      }),
      makeApplication({
        name: 'edge-b',
        instance: 'c2',
        environment: 'prod',
        labels: { 'app.kubernetes.io/name': 'edge' },
        healthStatus: 'Degraded',
      }),
      // service "edge" from its name, without the label: not selected
      makeApplication({ name: 'edge', instance: 'c3' }),
      // the label with another value
      makeApplication({
        name: 'other',
        labels: { 'app.kubernetes.io/name': 'other', tier: 'web' },
      }),
    ]);
    const selectors = [
      'app.kubernetes.io/name=edge',
      'app.kubernetes.io/name in (edge, other),tier=web',
      'app.kubernetes.io/name=edge,tier!=web',
      'tier=web',
    ];
    for (const selector of selectors) {
      const query = [{ labels: parseLabelSelector(selector) }];
      const apps = await store.findApplications(query);
      const heads = await store.findApplicationHeads(query);
      expect(heads.map(h => h.id)).toEqual(apps.map(a => a.id));
    }
    const heads = await store.findApplicationHeads([
      { labels: parseLabelSelector('app.kubernetes.io/name=edge') },
    ]);
    expect(heads).toEqual([
      {
        id: 'argocd:c1:argocd:edge-a',
        engine: 'argocd',
        instance: 'c1',
        namespace: 'argocd',
        name: 'edge-a',
        environment: 'dev',
        revision: 'r1',
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        severity: 0,
        applicationSet: 'edge-set',
      },
      expect.objectContaining({
        name: 'edge-b',
        environment: 'prod',
        healthStatus: 'Degraded',
        severity: expect.any(Number),
        applicationSet: undefined,
      }),
    ]);
    expect(heads[1].severity).toBeGreaterThan(0);
  });

  it('lists the fleet failing first with filters', async () => {
    const { store } = await createStore();
    await store.upsertApplications([
      makeApplication({ name: 'ok' }),
      makeApplication({
        name: 'broken',
        healthStatus: 'Degraded',
        environment: 'prod',
      }),
      makeApplication({ name: 'drift', syncStatus: 'OutOfSync' }),
    ]);
    const all = await store.listFleet({ limit: 10 });
    expect(all.totalCount).toBe(3);
    expect(all.items.map(a => a.name)).toEqual(['broken', 'drift', 'ok']);
    const prod = await store.listFleet({
      environment: ['prod'],
      limit: 10,
    });
    expect(prod.items.map(a => a.name)).toEqual(['broken']);
    const text = await store.listFleet({ text: 'DRI', limit: 10 });
    expect(text.items.map(a => a.name)).toEqual(['drift']);
    // keyset pages: each starts where the previous one ended
    const first = await store.listFleet({ limit: 1 });
    expect(first).toMatchObject({ totalCount: 3, items: [{ name: 'broken' }] });
    const paged = await store.listFleet({ limit: 1, after: first.last });
    expect(paged).toMatchObject({ totalCount: 3, items: [{ name: 'drift' }] });
    const end = await store.listFleet({ limit: 1, after: paged.last });
    expect(end.items.map(a => a.name)).toEqual(['ok']);
    expect(end.last).toBeUndefined();
    // many with one name and severity: told apart by id, none lost or repeated
    await store.upsertApplications(
      Array.from({ length: 25 }, (_, i) =>
        makeApplication({
          name: 'same',
          instance: `i-${String(i).padStart(2, '0')}`,
        }),
      ),
    );
    const seen: string[] = [];
    let after;
    do {
      const page = await store.listFleet({ limit: 7, after });
      seen.push(...page.items.map(a => a.id));
      after = page.last;
    } while (after);
    expect(seen).toHaveLength(28);
    expect(new Set(seen).size).toBe(28);
  });

  it('pages the fleet worst first across every status, with and without filters', async () => {
    const { store } = await createStore();
    const apps = HEALTH_STATUSES.flatMap(healthStatus =>
      SYNC_STATUSES.flatMap(syncStatus =>
        [false, true].map(stale =>
          makeApplication({
            name: `${healthStatus}-${syncStatus}`.toLowerCase(),
            instance: stale ? 'gone' : 'main',
            healthStatus,
            syncStatus,
            stale,
          }),
        ),
      ),
    );
    await store.upsertApplications(apps);
    const expected = (list: typeof apps) =>
      [...list]
        .sort(
          (a, b) =>
            severityOf(b) - severityOf(a) ||
            a.name.localeCompare(b.name) ||
            a.id.localeCompare(b.id),
        )
        .map(a => a.id);
    const pages = async (filter: Partial<FleetFilter>) => {
      const seen: string[] = [];
      let after;
      do {
        const page = await store.listFleet({ limit: 4, after, ...filter });
        seen.push(...page.items.map(a => a.id));
        after = page.last;
      } while (after);
      return seen;
    };
    expect(await pages({})).toEqual(expected(apps));
    const filter = {
      healthStatus: ['Degraded', 'Healthy'] as HealthStatus[],
      syncStatus: ['OutOfSync'] as SyncStatus[],
    };
    expect(await pages(filter)).toEqual(
      expected(
        apps.filter(
          a =>
            filter.healthStatus.includes(a.healthStatus) &&
            filter.syncStatus.includes(a.syncStatus),
        ),
      ),
    );
  });

  it('records the failure a late event tells, after its retry succeeded, and keeps the newer state', async () => {
    // ground truth soak: a sync failed, auto-sync retried it at once and the
    // retry was read (by a poll) before the failure's notification arrived;
    // the notification was dropped whole, and the failure with it
    const { store, knex } = await createStore();
    const app = makeApplication({
      name: 'late',
      revisions: ['b'.repeat(40)],
      lastSyncedAt: '2026-12-01T10:00:05.000Z',
      healthStatus: 'Healthy',
    });
    await store.upsertApplications([app]);
    const failed = readArgoEvent(
      Buffer.from(
        JSON.stringify({
          instance: app.instance,
          app: { name: app.name, namespace: app.namespace },
          sync: { status: 'OutOfSync', revision: 'b'.repeat(40) },
          health: { status: 'Healthy' },
          operation: {
            phase: 'Failed',
            message: 'one or more synchronization tasks failed',
            startedAt: '2026-12-01T09:59:58Z',
            finishedAt: '2026-12-01T10:00:00Z',
            revision: 'b'.repeat(40),
            initiatedBy: 'automated',
          },
        }),
      ),
    ).event;
    expect(await store.applyEvents([failed, failed])).toEqual([true, true]);
    // Argo CD re-applying what runs on its own, told by a notification
    // before the history is read: a self-heal at once, not a redeploy
    const selfHeal = readArgoEvent(
      Buffer.from(
        JSON.stringify({
          instance: app.instance,
          app: { name: app.name, namespace: app.namespace },
          operation: {
            phase: 'Succeeded',
            message: 'successfully synced (all tasks run)',
            startedAt: '2026-12-01T10:00:30Z',
            finishedAt: '2026-12-01T10:00:32Z',
            revision: 'b'.repeat(40),
            automated: true,
          },
        }),
      ),
    ).event;
    await store.addDeployments([
      {
        applicationId: app.id,
        dedupeKey: 'retry',
        environment: app.environment,
        revisions: ['b'.repeat(40)],
        finishedAt: '2026-12-01T10:00:05.000Z',
        result: 'Succeeded',
        initiatedBy: 'automated',
        origin: 'controller-history',
      },
    ]);
    await store.applyEvents([selfHeal]);
    const rows = await knex('gitops_deployments').where(
      'application_id',
      app.id,
    );
    expect(
      rows
        .map(r => [r.result, r.finished_at, r.kind])
        .sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    ).toEqual([
      ['Failed', '2026-12-01T10:00:00.000Z', 'failed'],
      ['Succeeded', '2026-12-01T10:00:05.000Z', 'new-commit'],
      ['Succeeded', '2026-12-01T10:00:32.000Z', 'self-heal'],
    ]);
    // the state stays the newest read
    expect(await store.getApplication(app.id)).toMatchObject({
      syncStatus: app.syncStatus,
    });
  });

  it('stores one deployment once when a notification and a poll write it at the same moment', async () => {
    // ground truth soak on PostgreSQL: each writer's transaction missed the
    // other's uncommitted row and both were stored, the second as a redeploy
    const { knex: single } = await createStore();
    // writers on connections of their own, as a backend's pool gives them
    // (the test database's client has one connection)
    const knex =
      id === 'POSTGRES_15'
        ? knexFactory({ ...single.client.config, pool: { min: 0, max: 8 } })
        : single;
    const store = await DatabaseGitopsStore.create({
      database: { getClient: async () => knex },
    });
    if (knex !== single)
      // every connection open, so the writers really run at once
      await Promise.all(
        Array.from({ length: 8 }, () => knex.raw('select pg_sleep(0.05)')),
      );
    const apps = Array.from({ length: 60 }, (_, i) =>
      makeApplication({ name: `race-${i}` }),
    );
    await store.upsertApplications(apps);
    await Promise.all(
      apps.map(async (app, i) => {
        const at = new Date(Date.UTC(2026, 11, 1, 10, i, 0)).toISOString();
        const one = {
          applicationId: app.id,
          environment: app.environment,
          revisions: [`${i}`.padStart(40, 'c')],
          startedAt: at,
          finishedAt: at,
          result: 'Succeeded' as const,
        };
        // a notification (as the webhook writes it) and a poll (as ingestion does)
        await Promise.all([
          store.addDeployments([
            {
              ...one,
              dedupeKey: `${app.id}@history`,
              origin: 'controller-history',
            },
          ]),
          store.addDeployments([
            { ...one, dedupeKey: `${app.id}@event`, origin: 'event' },
          ]),
          store.applyEvents([
            {
              applicationId: app.id,
              apply: current => ({
                application: current,
                deployment: {
                  ...one,
                  dedupeKey: `${app.id}@event2`,
                  origin: 'event',
                },
              }),
            },
          ]),
        ]);
      }),
    );
    const rows = await knex('gitops_deployments')
      .whereIn(
        'application_id',
        apps.map(a => a.id),
      )
      .select('application_id', 'origin');
    expect(rows).toHaveLength(apps.length);
    // the more trusted reading kept
    expect(new Set(rows.map(r => r.origin))).toEqual(
      new Set(['controller-history']),
    );
    if (knex !== single) await knex.destroy();
  });

  it('applies a batch of push events in order, in one transaction, each deployment once', async () => {
    const { store, knex } = await createStore();
    const app = makeApplication({ name: 'ev', labels: { team: 'x' } });
    await store.upsertApplications([app]);
    const event = (i: number, health: 'Healthy' | 'Degraded') => ({
      applicationId: app.id,
      apply: (current: typeof app) => ({
        application: {
          ...current,
          healthStatus: health,
          revisions: [...current.revisions, String(i)],
        },
        deployment: deployment(app.id, i, { origin: 'event' }),
      }),
    });
    const known = await store.applyEvents([
      event(1, 'Healthy'),
      event(2, 'Degraded'),
      event(2, 'Degraded'), // a redelivery in the same batch
      { ...event(3, 'Healthy'), applicationId: 'argocd:main:argocd:gone' },
    ]);
    expect(known).toEqual([true, true, true, false]);
    const stored = await store.getApplication(app.id);
    // each event saw the state the one before it left
    expect(stored?.revisions).toEqual([...app.revisions, '1', '2', '2']);
    expect(stored?.healthStatus).toBe('Degraded');
    expect(stored?.labels).toEqual({ team: 'x' });
    const rows = await knex('gitops_deployments').where('origin', 'event');
    expect(rows.map(r => r.dedupe_key).sort()).toEqual([
      deployment(app.id, 1).dedupeKey,
      deployment(app.id, 2).dedupeKey,
    ]);
    expect(
      await store.getApplication('argocd:main:argocd:gone'),
    ).toBeUndefined();
    // a failed batch stores nothing
    await expect(
      store.applyEvents([
        event(4, 'Healthy'),
        {
          applicationId: app.id,
          apply: () => {
            throw new Error('bad event');
          },
        },
      ]),
    ).rejects.toThrow('bad event');
    expect((await store.getApplication(app.id))?.revisions).toHaveLength(
      app.revisions.length + 3,
    );
  });
});
