/*
 * Benchmark: ingestion of many Argo CD applications across instances from
 * the sandbox (real HTTP), into the real store (SQLite file, or PostgreSQL
 * when BENCH_PG is a connection string). Reports wall time, peak RSS and the
 * writes of a second, unchanged cycle.
 */
import { DatabaseGitopsStore } from '../plugins/gitops-backend/src/database/DatabaseGitopsStore';
import { ArgoProvider } from '../plugins/gitops-backend/src/providers/argocd/ArgoProvider';
import { IngestionService } from '../plugins/gitops-backend/src/service/IngestionService';
import { startSandboxProcess } from './sandboxProcess';
import { benchDatabase } from './benchDatabase';
import { BENCH_ENVIRONMENTS, benchLogger, runBench } from './setup';

const APPS = Number(process.env.BENCH_APPS ?? 10_000);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 5);
/** The edge shape instead: this many clusters, an Argo CD instance each. */
const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 0);
const APPS_PER_CLUSTER = Number(process.env.BENCH_APPS_PER_CLUSTER ?? 100);

async function main() {
  // the fake controllers in their own process: the RSS below is the backend's
  const sb = await startSandboxProcess(
    CLUSTERS
      ? { clusters: CLUSTERS, appsPerCluster: APPS_PER_CLUSTER }
      : { extraApps: APPS, instances: INSTANCES },
  );
  const instances = CLUSTERS
    ? sb.instances.filter(i => i.startsWith('cluster-'))
    : sb.instances;
  const { knex } = benchDatabase();
  const store = await DatabaseGitopsStore.create({
    database: { getClient: async () => knex } as any,
  });
  const environments = BENCH_ENVIRONMENTS;
  const providers = instances.map(
    name =>
      new ArgoProvider({
        instance: {
          name,
          url: `${sb.url}/argocd/${name}`,
          uiUrl: sb.url,
          token: 'sandbox-token',
          skipTLSVerify: false,
          timeoutMs: 120_000,
        },
        environments,
      }),
  );
  const ingestion = new IngestionService({
    store,
    providers: () => providers,
    logger: benchLogger,
    instanceTimeoutMs: 300_000,
    concurrency: Number(process.env.BENCH_CONCURRENCY ?? 3),
  });

  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let peakHeap = process.memoryUsage().heapUsed;
  let peakExt = 0;
  let peakTotal = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakExt = Math.max(peakExt, m.external + m.arrayBuffers);
    peakTotal = Math.max(peakTotal, m.heapTotal);
  }, 50);

  const t0 = performance.now();
  const first = await ingestion.runOnce();
  const firstMs = performance.now() - t0;
  const t1 = performance.now();
  const second = await ingestion.runOnce();
  const secondMs = performance.now() - t1;

  // the edge shape: every instance's application stream open, as between
  // full reads; CPU over 20 s once the streams' first burst (an ADDED event
  // per application, all unchanged) is over
  let watch:
    | { streams: number; steadyCpuPercent: number; burstSeconds: number }
    | undefined;
  if (CLUSTERS) {
    const opened = performance.now();
    let lastChange = opened;
    const stop = new AbortController();
    const watches = providers.map(p =>
      p
        .watch({
          signal: stop.signal,
          onChange: async changed => {
            lastChange = performance.now();
            await ingestion.applyChanges(changed);
          },
        })
        .catch(e => console.warn(`watch of ${p.instance}: ${e.message}`)),
    );
    // the burst is over when nothing has come for 5 s (at most 3 minutes)
    const quietBy = opened + 180_000;
    await new Promise(r => setTimeout(r, 5_000));
    while (
      performance.now() - lastChange < 5_000 &&
      performance.now() < quietBy
    )
      await new Promise(r => setTimeout(r, 1_000));
    const cpu = process.cpuUsage();
    const w = performance.now();
    await new Promise(r => setTimeout(r, 20_000));
    const used = process.cpuUsage(cpu);
    watch = {
      streams: providers.length,
      steadyCpuPercent: +(
        ((used.user + used.system) / 1000 / (performance.now() - w)) *
        100
      ).toFixed(1),
      burstSeconds: +((lastChange - opened) / 1000).toFixed(1),
    };
    stop.abort();
    await Promise.all(watches);
  }
  clearInterval(sampler);

  const sum = (
    r: typeof first,
    k: 'applications' | 'written' | 'deploymentsAdded' | 'removed',
  ) => r.reduce((n, x) => n + x[k], 0);
  const result = {
    database: knex.client.config.client === 'pg' ? 'postgresql' : 'sqlite',
    applications: sum(first, 'applications'),
    instances: instances.length,
    firstCycleSeconds: +(firstMs / 1000).toFixed(2),
    firstCycleWrites: sum(first, 'written'),
    deploymentsStored: sum(first, 'deploymentsAdded'),
    secondCycleSeconds: +(secondMs / 1000).toFixed(2),
    secondCycleWrites:
      sum(second, 'written') +
      sum(second, 'deploymentsAdded') +
      sum(second, 'removed'),
    peakRssMB: Math.round(peakRss / 1024 / 1024),
    baselineRssMB: Math.round(baselineRss / 1024 / 1024),
    peakHeapMB: Math.round(peakHeap / 1024 / 1024),
    peakExtMB: Math.round(peakExt / 1024 / 1024),
    peakHeapTotalMB: Math.round(peakTotal / 1024 / 1024),
    watch,
  };
  console.log(JSON.stringify(result));
  await knex.destroy();
  sb.stop();
}

runBench(main);
