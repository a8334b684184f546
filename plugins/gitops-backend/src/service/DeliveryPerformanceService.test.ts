import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DatabaseGitopsStore } from '../database/DatabaseGitopsStore';
import { DatabaseGitStore } from '../git/GitStore';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { GitopsService } from './GitopsService';
import { DeliveryPerformanceService } from './DeliveryPerformanceService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const H = 3600;

const shop: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'shop',
    namespace: 'default',
    annotations: {
      'argocd/app-name': 'shop-prod',
      'backstage.io/kubernetes-id': 'shop',
    },
  },
  spec: { type: 'service', owner: 'team-a', system: 'store' },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/team-a' },
    { type: 'partOf', targetRef: 'system:default/store' },
  ],
};
const teamA: Entity = {
  apiVersion: 'backstage.io/v1',
  kind: 'Group',
  metadata: { name: 'team-a', namespace: 'default' },
  spec: { type: 'team', children: [] },
};
const store_: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'System',
  metadata: { name: 'store', namespace: 'default' },
  spec: { owner: 'team-a' },
};

// The history of the hand-computed fixture in gitops-common's dora.test.ts,
// stored as the backend stores it: deployments, and what Git told.
type Row = [
  app: 'A' | 'B',
  finishedAt: string,
  result: 'Succeeded' | 'Failed',
  git?: { from?: string; to: string; count: number; times: string[] },
];
const HISTORY: Row[] = [
  [
    'A',
    '2026-10-31T12:00:00Z',
    'Succeeded',
    { to: 's1', count: 1, times: ['2026-10-31T11:00:00Z'] },
  ],
  [
    'A',
    '2026-11-01T10:00:00Z',
    'Succeeded',
    {
      from: 's1',
      to: 's2',
      count: 2,
      times: ['2026-11-01T08:00:00Z', '2026-11-01T06:00:00Z'],
    },
  ],
  [
    'A',
    '2026-11-02T10:00:00Z',
    'Failed',
    { from: 's2', to: 's3', count: 1, times: ['2026-11-02T09:00:00Z'] },
  ],
  [
    'A',
    '2026-11-02T12:00:00Z',
    'Succeeded',
    { from: 's2', to: 's3', count: 1, times: ['2026-11-02T09:00:00Z'] },
  ],
  [
    'A',
    '2026-11-03T10:00:00Z',
    'Succeeded',
    { from: 's3', to: 's4', count: 1, times: ['2026-11-03T00:00:00Z'] },
  ],
  [
    'A',
    '2026-11-03T14:00:00Z',
    'Succeeded',
    { from: 's4', to: 's3', count: 0, times: [] },
  ],
  [
    'A',
    '2026-11-04T00:00:00Z',
    'Succeeded',
    { from: 's3', to: 's3', count: 0, times: [] },
  ],
  [
    'A',
    '2026-11-08T00:00:00Z',
    'Succeeded',
    { from: 's3', to: 's5', count: 1, times: ['2026-11-07T00:00:00Z'] },
  ],
  ['B', '2026-11-05T00:00:00Z', 'Succeeded'],
  ['B', '2026-11-06T00:00:00Z', 'Failed'],
  [
    'B',
    '2026-11-07T00:00:00Z',
    'Succeeded',
    {
      from: 'f1',
      to: 'f2',
      count: 2,
      times: ['2026-11-06T12:00:00Z', '2026-11-05T00:00:00Z'],
    },
  ],
];

describe.each(databases.eachSupportedId())(
  'DeliveryPerformanceService (%s)',
  id => {
    let clock = '2026-11-08T00:00:00Z';
    beforeEach(() => {
      clock = '2026-11-08T00:00:00Z';
    });
    async function setup(extra: { snapshotMaxAgeSeconds?: number } = {}) {
      const knex = await databases.init(id);
      const store = await DatabaseGitopsStore.create({
        database: { getClient: async () => knex },
      });
      const a = makeApplication({ name: 'shop-prod', environment: 'prod' });
      const b = makeApplication({
        name: 'shop',
        engine: 'flux',
        kind: 'Kustomization',
        id: 'flux:c1:apps:shop',
        instance: 'c1',
        namespace: 'apps',
        environment: 'prod',
        labels: { 'backstage.io/kubernetes-id': 'shop' },
      });
      // an application of no entity, in the fleet only
      const other = makeApplication({ name: 'other', environment: 'prod' });
      await store.upsertApplications([a, b, other]);
      const appId = { A: a.id, B: b.id };
      await store.addDeployments([
        ...HISTORY.map(([app, finishedAt, result, git], i) => ({
          applicationId: appId[app],
          dedupeKey: `k${i}`,
          environment: 'prod',
          // the commit deployed, as the controller reports it
          revisions: [git?.to ?? `b${i}`],
          finishedAt,
          result,
          origin: 'observed' as const,
        })),
        // another environment: not measured
        {
          applicationId: a.id,
          dedupeKey: 'dev',
          environment: 'dev',
          revisions: ['x'],
          finishedAt: '2026-11-05T00:00:00Z',
          result: 'Succeeded' as const,
          origin: 'observed' as const,
        },
        {
          applicationId: other.id,
          dedupeKey: 'other',
          environment: 'prod',
          revisions: ['x'],
          finishedAt: '2026-11-05T00:00:00Z',
          result: 'Failed' as const,
          origin: 'observed' as const,
        },
      ]);
      const ids: Record<string, number> = Object.fromEntries(
        (await knex('gitops_deployments').select('id', 'dedupe_key')).map(r => [
          r.dedupe_key,
          Number(r.id),
        ]),
      );
      await new DatabaseGitStore(knex).putChanges(
        HISTORY.flatMap(([app, , , git], i) =>
          git
            ? [
                {
                  deploymentId: ids[`k${i}`],
                  applicationId: appId[app],
                  fromSha: git.from,
                  toSha: git.to,
                  count: git.count,
                  commitTimes: git.times,
                },
              ]
            : [],
        ),
      );
      const environments = {
        order: ['dev', 'staging', 'prod'],
        label: 'environment',
        fallback: 'dev',
        rules: [],
      };
      const gitops = new GitopsService({
        store,
        catalog: catalogServiceMock({ entities: [shop, teamA, store_] }),
        environments,
        logger: mockServices.logger.mock(),
      });
      return new DeliveryPerformanceService({
        store,
        catalog: catalogServiceMock({ entities: [shop, teamA, store_] }),
        gitops,
        environments,
        failureWindowSeconds: 24 * H,
        now: () => new Date(clock),
        serviceCredentials: async () => mockCredentials.service(),
        ...extra,
      });
    }

    const credentials = mockCredentials.user();
    const HAND_COMPUTED = {
      deployments: 8,
      leadTime: { commits: 6, medianSeconds: 7 * H, p90Seconds: 48 * H },
      changeFailRate: { failed: 3, rate: 3 / 8 },
      recoveryTime: { recovered: 3, medianSeconds: 4 * H },
      reworkRate: { reworked: 3, rate: 3 / 8 },
      bands: {
        deploymentFrequency: 'elite',
        leadTime: 'elite',
        changeFailRate: 'low',
        recoveryTime: 'high',
      },
    };

    it('gives the hand-computed numbers for an entity, its team and its system, in the last environment by default', async () => {
      const metrics = await setup();
      for (const scope of [
        { type: 'entity', entityRef: 'component:default/shop' },
        { type: 'group', entityRef: 'group:default/team-a' },
        { type: 'system', entityRef: 'system:default/store' },
      ] as const) {
        const m = await metrics.getMetrics({
          scope,
          windowDays: 7,
          credentials,
        });
        expect(m.environment).toBe('prod');
        expect(m.window).toEqual({
          days: 7,
          from: '2026-11-01T00:00:00.000Z',
          to: '2026-11-08T00:00:00.000Z',
        });
        expect(m.current).toMatchObject(HAND_COMPUTED);
        expect(m.current.deploymentFrequency).toBeCloseTo(8 / 7, 10);
        // the week before: one deployment, on 31 October
        expect(m.previous).toMatchObject({
          deployments: 1,
          changeFailRate: { failed: 0, rate: 0 },
        });
        expect(m.daily).toHaveLength(7);
        expect(m.daily.find(d => d.date === '2026-11-02')).toEqual({
          date: '2026-11-02',
          deployments: 2,
          failed: 1,
        });
      }
    });

    it('measures the fleet, other environments and teams', async () => {
      const metrics = await setup();
      const fleet = await metrics.getMetrics({
        scope: { type: 'fleet' },
        windowDays: 7,
        credentials,
      });
      // the application of no entity adds one failed deployment
      expect(fleet.current).toMatchObject({
        deployments: 9,
        changeFailRate: { failed: 4, rate: 4 / 9 },
      });
      const dev = await metrics.getMetrics({
        scope: { type: 'entity', entityRef: 'component:default/shop' },
        windowDays: 30,
        environment: 'dev',
        credentials,
      });
      expect(dev.current.deployments).toBe(1);
      const teams = await metrics.getTeamMetrics({
        windowDays: 7,
        credentials,
      });
      expect(teams.map(t => [t.owner, t.services])).toEqual([
        ['group:default/team-a', ['component:default/shop']],
      ]);
      expect(teams[0].metrics.current).toMatchObject(HAND_COMPUTED);
    });

    it('serves the fleet and teams from snapshots kept fresh in the background', async () => {
      const metrics = await setup({ snapshotMaxAgeSeconds: 300 });
      const fleet = () =>
        metrics.getMetrics({
          scope: { type: 'fleet' },
          windowDays: 7,
          credentials,
        });
      await metrics.refreshSnapshots();
      expect((await fleet()).current.deployments).toBe(9);
      // a snapshot is served while it is young, recomputed once it is old
      const put = jest.spyOn(
        DatabaseGitopsStore.prototype,
        'putMetricsSnapshot',
      );
      clock = '2026-11-08T00:04:00Z';
      await fleet();
      expect(put).not.toHaveBeenCalled();
      clock = '2026-11-08T00:06:00Z';
      await fleet();
      expect(put).toHaveBeenCalledTimes(1);
      put.mockRestore();
      const teams = await metrics.getTeamMetrics({
        windowDays: 7,
        credentials,
      });
      expect(teams.map(t => t.owner)).toEqual(['group:default/team-a']);
    });

    it('answers 404 for an unknown entity', async () => {
      const metrics = await setup();
      await expect(
        metrics.getMetrics({
          scope: { type: 'group', entityRef: 'group:default/nobody' },
          windowDays: 30,
          credentials,
        }),
      ).rejects.toThrow(/not found/);
    });
  },
);
