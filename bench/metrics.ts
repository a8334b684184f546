/*
 * Benchmark: delivery metrics (DORA) of one team and of the fleet, at 20k
 * applications and 1M history rows (each with what it brought), over the
 * default 30-day window, on SQLite (file) or PostgreSQL (BENCH_PG).
 * p50/p95 over repeated requests.
 */
import { DatabaseGitopsStore } from '../plugins/gitops-backend/src/database/DatabaseGitopsStore';
import { GitopsService } from '../plugins/gitops-backend/src/service/GitopsService';
import { DeliveryPerformanceService } from '../plugins/gitops-backend/src/service/DeliveryPerformanceService';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { benchDatabase } from './benchDatabase';
import { BENCH_ENVIRONMENTS, runBench } from './setup';

const APPS = Number(process.env.BENCH_APPS ?? 20_000);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DAYS = 180; // history spread over the last 180 days
const SERVICES = APPS / 4; // dev, staging, prod, prod-eu per service
const TEAMS = 500; // 10 services a team
const NOW = Date.UTC(2026, 10, 1);
const ENVS = ['dev', 'staging', 'prod', 'prod'];

async function main() {
  const { knex, database } = benchDatabase({ min: 1, max: 4 });
  const store = await DatabaseGitopsStore.create({
    database: { getClient: async () => knex } as any,
  });
  const t0 = performance.now();
  const apps = Array.from({ length: APPS }, (_, i) =>
    makeApplication({
      name: `svc-${i % SERVICES}-${i}`,
      instance: `argo-${i % 5}`,
      environment: ENVS[Math.floor(i / SERVICES)],
      labels: { 'app.kubernetes.io/name': `svc-${i % SERVICES}` },
    }),
  );
  await store.upsertApplications(apps);
  const step = (DAYS * 86_400_000) / ROWS;
  const batch = 500;
  for (let start = 0; start < ROWS; start += batch) {
    const rows: Array<Record<string, string>> = [];
    for (let j = start; j < Math.min(ROWS, start + batch); j++) {
      const app = apps[j % APPS];
      const at = new Date(NOW - DAYS * 86_400_000 + j * step).toISOString();
      rows.push({
        application_id: app.id,
        dedupe_key: `${app.id}@${j}`,
        environment: app.environment,
        revisions: JSON.stringify([j.toString(16).padStart(40, '0')]),
        finished_at: at,
        // one in 20 fails
        result: j % 20 === 7 ? 'Failed' : 'Succeeded',
        origin: 'controller-history',
      });
    }
    const ids: { id: number }[] = await knex('gitops_deployments')
      .insert(rows)
      .returning('id');
    await knex('gitops_deployment_changes').insert(
      ids.map(({ id }, k) => {
        const j = start + k;
        const at = NOW - DAYS * 86_400_000 + j * step;
        // 1 to 3 commits, committed up to a day before
        const times = Array.from({ length: (j % 3) + 1 }, (_, c) =>
          new Date(at - ((j * 7919 + c * 3600_000) % 86_400_000)).toISOString(),
        );
        return {
          deployment_id: Number(typeof id === 'object' ? (id as any).id : id),
          application_id: rows[k].application_id,
          from_sha: (j - APPS).toString(16).padStart(40, '0'),
          to_sha: j.toString(16).padStart(40, '0'),
          commit_count: times.length,
          oldest_committed_at: times[times.length - 1],
          commit_times: JSON.stringify(times),
          read_at: new Date(NOW).toISOString(),
        };
      }),
    );
  }
  console.error(`seeded ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (database === 'postgresql') await knex.raw('ANALYZE');
  const seedSeconds = (performance.now() - t0) / 1000;

  const team = (t: number) => `group:default/team-${t}`;
  const components = Array.from({ length: SERVICES }, (_, s) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `svc-${s}`,
      namespace: 'default',
      annotations: { 'argocd/app-selector': `app.kubernetes.io/name=svc-${s}` },
    },
    spec: { owner: team(s % TEAMS) },
    relations: [{ type: 'ownedBy', targetRef: team(s % TEAMS) }],
  }));
  const catalog: any = {
    getEntityByRef: async (ref: string) => ({
      kind: 'Group',
      metadata: { name: ref.split('/')[1] },
    }),
    getEntities: async ({ filter }: any) => ({
      items: filter.kind
        ? components
        : components.filter(c =>
            c.relations.some(r => r.targetRef === filter['relations.ownedBy']),
          ),
    }),
  };
  const environments = BENCH_ENVIRONMENTS;
  const gitops = new GitopsService({
    store,
    catalog,
    environments,
    logger: {} as any,
  });
  const metrics = new DeliveryPerformanceService({
    store,
    catalog,
    gitops,
    environments,
    failureWindowSeconds: 86_400,
    snapshotMaxAgeSeconds: 300,
    serviceCredentials: async () => ({} as any),
    now: () => new Date(NOW),
  });
  const credentials: any = {};
  const measure = async (n: number, fn: (i: number) => Promise<unknown>) => {
    const samples: number[] = [];
    let last: any;
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      last = await fn(i);
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const q = (p: number) =>
      +samples[Math.floor(p * (samples.length - 1))].toFixed(2);
    return { p50ms: q(0.5), p95ms: q(0.95), last };
  };
  const teamRun = await measure(200, i =>
    metrics.getMetrics({
      scope: { type: 'group', entityRef: team((i * 37) % TEAMS) },
      windowDays: 30,
      credentials,
    }),
  );
  // what the background task does: every window, fleet and teams
  const t1 = performance.now();
  await metrics.refreshSnapshots();
  const refreshSeconds = (performance.now() - t1) / 1000;
  console.error(`refreshed ${refreshSeconds.toFixed(1)} s`);
  // computing the fleet live (a snapshot miss)
  const live = new DeliveryPerformanceService({
    store,
    catalog,
    gitops,
    environments,
    failureWindowSeconds: 86_400,
    now: () => new Date(NOW),
  });
  const fleetLive = await measure(5, () =>
    live.getMetrics({ scope: { type: 'fleet' }, windowDays: 30, credentials }),
  );
  // what the fleet page reads: the snapshots
  const fleetRun = await measure(200, () =>
    metrics.getMetrics({
      scope: { type: 'fleet' },
      windowDays: 30,
      credentials,
    }),
  );
  const teamsRun = await measure(50, () =>
    metrics.getTeamMetrics({ windowDays: 30, credentials }),
  );
  console.log(
    JSON.stringify({
      database,
      applications: APPS,
      historyRows: ROWS,
      seedSeconds: +seedSeconds.toFixed(1),
      teamDeploymentsIn30Days: teamRun.last.current.deployments,
      teamP50ms: teamRun.p50ms,
      teamP95ms: teamRun.p95ms,
      fleetDeploymentsIn30Days: fleetRun.last.current.deployments,
      fleetP50ms: fleetRun.p50ms,
      fleetP95ms: fleetRun.p95ms,
      teamViewTeams: teamsRun.last.length,
      teamViewP50ms: teamsRun.p50ms,
      teamViewP95ms: teamsRun.p95ms,
      fleetLiveP50ms: fleetLive.p50ms,
      snapshotRefreshSeconds: +refreshSeconds.toFixed(1),
    }),
  );
  await knex.destroy();
}

runBench(main);
