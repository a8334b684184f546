/*
 * Benchmark: change-to-visible latency. A commit lands on a sandbox
 * application (it turns OutOfSync at the controller); how long until the
 * store — which every API read serves from — has it? Measured with the
 * Argo CD watch between full reads and with polling only, at the same poll
 * interval, with the sandbox in its own process. Real HTTP, real store.
 */
import { DatabaseGitopsStore } from '../plugins/gitops-backend/src/database/DatabaseGitopsStore';
import { ArgoProvider } from '../plugins/gitops-backend/src/providers/argocd/ArgoProvider';
import { IngestionService } from '../plugins/gitops-backend/src/service/IngestionService';
import { startSandboxProcess } from './sandboxProcess';
import { benchDatabase } from './benchDatabase';
import { BENCH_ENVIRONMENTS, benchLogger, runBench } from './setup';

const SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 20);
const POLL_SECONDS = Number(process.env.BENCH_POLL_SECONDS ?? 10);

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function measure(watch: boolean) {
  // a sandbox per mode: syncs take long, so a pushed app stays OutOfSync
  const sb = await startSandboxProcess({ syncSeconds: 600, extraApps: 200 });
  const { knex } = benchDatabase();
  const store = await DatabaseGitopsStore.create({
    database: { getClient: async () => knex } as any,
  });
  const provider = new ArgoProvider({
    instance: {
      name: 'main',
      url: `${sb.url}/argocd/main`,
      uiUrl: sb.url,
      token: 'sandbox-token',
      skipTLSVerify: false,
      timeoutMs: 30_000,
    },
    environments: BENCH_ENVIRONMENTS,
  });
  const ingestion = new IngestionService({
    store,
    providers: () => [provider],
    logger: benchLogger,
    instanceTimeoutMs: 60_000,
  });
  // what the scheduler does: a run per interval, each a read (+ the watch)
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const next = started + POLL_SECONDS * 1000;
      await ingestion.runShard(0, 1, {
        watchUntil: watch ? next - 500 : undefined,
      });
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  await sleep(3000);
  const latencies: number[] = [];
  const apps = (await store.listAllApplications()).filter(
    a =>
      a.instance === 'main' &&
      a.syncStatus === 'Synced' &&
      a.name.startsWith('load-'),
  );
  for (let i = 0; i < SAMPLES && i < apps.length; i++) {
    // at a random moment of the poll interval
    await sleep(Math.random() * POLL_SECONDS * 1000);
    const app = apps[i];
    const res = await fetch(`${sb.url}/sandbox/push`, {
      method: 'POST',
      body: JSON.stringify({ instance: 'main', name: app.name }),
    });
    if (!res.ok) throw new Error(`push failed: ${res.status}`);
    const t0 = performance.now();
    for (;;) {
      const now = await store.getApplication(app.id);
      if (now?.syncStatus === 'OutOfSync') break;
      if (performance.now() - t0 > 3 * POLL_SECONDS * 1000)
        throw new Error(`${app.name} never became visible`);
      await sleep(20);
    }
    latencies.push(performance.now() - t0);
  }
  running = false;
  await loop;
  await knex.destroy();
  sb.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: Math.round(pct(sorted, 50)),
    p95Ms: Math.round(pct(sorted, 95)),
    maxMs: Math.round(sorted[sorted.length - 1]),
  };
}

async function main() {
  const watch = await measure(true);
  const polling = await measure(false);
  console.log(
    JSON.stringify({
      database: process.env.BENCH_PG ? 'postgresql' : 'sqlite',
      pollIntervalSeconds: POLL_SECONDS,
      watch,
      polling,
    }),
  );
}

runBench(main);
