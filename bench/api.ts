/*
 * Benchmark: the entity Deployments + history reads at 20k applications and
 * 1M history rows, on SQLite (file) or PostgreSQL (BENCH_PG). p50/p95 over
 * repeated requests for services spread over the fleet.
 */
import { DatabaseGitopsStore } from '../plugins/gitops-backend/src/database/DatabaseGitopsStore';
import { GitopsService } from '../plugins/gitops-backend/src/service/GitopsService';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { benchDatabase } from './benchDatabase';
import { BENCH_ENVIRONMENTS, runBench } from './setup';

const APPS = Number(process.env.BENCH_APPS ?? 20_000);
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SERVICES = APPS / 4; // 4 applications (environments/instances) per service

async function main() {
  const { knex } = benchDatabase({ min: 1, max: 4 });
  const store = await DatabaseGitopsStore.create({
    database: { getClient: async () => knex } as any,
  });

  const t0 = performance.now();
  const apps = Array.from({ length: APPS }, (_, i) =>
    makeApplication({
      name: `svc-${i % SERVICES}-${
        ['dev', 'staging', 'prod', 'prod-eu'][Math.floor(i / SERVICES)]
      }`,
      instance: `argo-${i % 5}`,
      environment: ['dev', 'staging', 'prod', 'prod'][Math.floor(i / SERVICES)],
      labels: { 'app.kubernetes.io/name': `svc-${i % SERVICES}` },
    }),
  );
  await store.upsertApplications(apps);
  const batch = 500;
  for (let start = 0; start < ROWS; start += batch) {
    const rows = [];
    for (let j = start; j < Math.min(ROWS, start + batch); j++) {
      const app = apps[j % APPS];
      const at = new Date(Date.UTC(2024, 0, 1) + j * 60_000).toISOString();
      rows.push({
        application_id: app.id,
        dedupe_key: `${app.id}@${at}`,
        environment: app.environment,
        revisions: JSON.stringify([j.toString(16).padStart(40, '0')]),
        finished_at: at,
        result: 'Succeeded',
        origin: 'controller-history',
      });
    }
    await knex('gitops_deployments').insert(rows);
  }
  const seedSeconds = (performance.now() - t0) / 1000;

  const entity = (i: number) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `svc-${i}`,
      namespace: 'default',
      annotations: { 'argocd/app-selector': `app.kubernetes.io/name=svc-${i}` },
    },
    spec: {},
  });
  const catalog: any = {
    getEntityByRef: async (ref: string) =>
      entity(Number(/svc-(\d+)/.exec(ref)![1])),
  };
  const service = new GitopsService({
    store,
    catalog,
    environments: BENCH_ENVIRONMENTS,
    logger: {} as any,
  });
  const credentials: any = {};
  const samples: number[] = [];
  for (let n = 0; n < 300; n++) {
    const i = (n * 7919) % SERVICES;
    const start = performance.now();
    await Promise.all([
      service.getEntityDeployments(`component:default/svc-${i}`, credentials),
      service.getEntityHistory(
        { entityRef: `component:default/svc-${i}`, limit: 20 },
        credentials,
      ),
    ]);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) =>
    +samples[Math.floor(p * (samples.length - 1))].toFixed(2);
  console.log(
    JSON.stringify({
      database: knex.client.config.client === 'pg' ? 'postgresql' : 'sqlite',
      applications: APPS,
      historyRows: ROWS,
      seedSeconds: +seedSeconds.toFixed(1),
      requests: samples.length,
      p50ms: q(0.5),
      p95ms: q(0.95),
    }),
  );
  await knex.destroy();
}

runBench(main);
