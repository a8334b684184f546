/*
 * Benchmark: the fleet page's reads at 100,000 applications (1,000 clusters
 * x 100 services), on SQLite (file) or PostgreSQL (BENCH_PG): the first
 * page, pages deep in the fleet (followed by cursor), a search and a filter.
 * p50/p95 through FleetService, as the router calls it.
 */
import { DatabaseGitopsStore } from '../plugins/gitops-backend/src/database/DatabaseGitopsStore';
import { GitopsService } from '../plugins/gitops-backend/src/service/GitopsService';
import { FleetService } from '../plugins/gitops-backend/src/service/FleetService';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { benchDatabase } from './benchDatabase';
import { BENCH_ENVIRONMENTS, runBench } from './setup';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const SERVICES = Number(process.env.BENCH_APPS_PER_CLUSTER ?? 100);

async function main() {
  const { knex } = benchDatabase({ min: 1, max: 4 });
  const store = await DatabaseGitopsStore.create({
    database: { getClient: async () => knex } as any,
  });
  const t0 = performance.now();
  for (let c = 1; c <= CLUSTERS; c++) {
    await store.upsertApplications(
      Array.from({ length: SERVICES }, (_, s) =>
        makeApplication({
          name: `svc-${s + 1}`,
          instance: `cluster-${c}`,
          environment: c % 10 === 1 ? 'dev' : c % 10 === 2 ? 'staging' : 'prod',
          labels: { 'app.kubernetes.io/name': `svc-${s + 1}` },
          ...((c * SERVICES + s) % 100 === 0
            ? { healthStatus: 'Degraded' as const }
            : {}),
        }),
      ),
    );
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  if (process.env.BENCH_PG) {
    // statistics, as autovacuum keeps them in a running database
    await knex.raw('VACUUM ANALYZE');
  }
  const environments = BENCH_ENVIRONMENTS;
  const gitops = new GitopsService({
    store,
    catalog: {} as any,
    environments,
    logger: {} as any,
  });
  const service = new FleetService({
    store,
    environments,
    visibility: gitops.visibility,
    gitops,
  });
  const credentials: any = {};
  const measure = async (fn: () => Promise<unknown>, n = 100) => {
    const samples: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = performance.now();
      await fn();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const q = (p: number) =>
      +samples[Math.floor(p * (samples.length - 1))].toFixed(2);
    return { p50ms: q(0.5), p95ms: q(0.95) };
  };
  const firstPage = await measure(() =>
    service.getFleet({ limit: 100 }, credentials),
  );
  // walk 200 pages deep by cursor: every page costs what the first does
  const deep: number[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const start = performance.now();
    const res = await service.getFleet({ limit: 100, cursor }, credentials);
    deep.push(performance.now() - start);
    cursor = res.nextCursor;
  }
  deep.sort((a, b) => a - b);
  const search = await measure(() =>
    service.getFleet({ limit: 100, text: 'cluster-77' }, credentials),
  );
  const filtered = await measure(() =>
    service.getFleet(
      { limit: 100, healthStatus: ['Degraded'], environment: ['prod'] },
      credentials,
    ),
  );
  const matrix = await measure(
    () => service.getFleetMatrix({}, credentials),
    20,
  );
  console.log(
    JSON.stringify({
      database: knex.client.config.client === 'pg' ? 'postgresql' : 'sqlite',
      applications: CLUSTERS * SERVICES,
      seedSeconds: +seedSeconds.toFixed(1),
      firstPage,
      deepPages: {
        pages: deep.length,
        p50ms: +deep[Math.floor(0.5 * (deep.length - 1))].toFixed(2),
        p95ms: +deep[Math.floor(0.95 * (deep.length - 1))].toFixed(2),
      },
      search,
      filtered,
      matrix,
    }),
  );
  await knex.destroy();
}

runBench(main);
