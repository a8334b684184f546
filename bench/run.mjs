// `npm run bench`: benchmarks measured on this machine, printed as tables
// and written to bench-results/. Not part of `npm test`.
// - ingestion of 10k applications from the sandbox (in its own process)
// - the entity Deployments + history API at 20k apps / 1M history rows
// - webhook throughput with concurrent senders, and a count of what was kept
// - an entity's Deployments through the HTTP stack at 100k applications
// - one service page through our backend vs the rival Argo CD backends,
//   installed from npm into bench/rivals (the reason is printed if not)
// - an open Deployments tab in Chromium: how soon it shows a deployment,
//   with signals and polling only (`BENCH_ONLY=page` runs just this one)
// - the stored history of `npm start` for TRUTH_MINUTES (default 20)
//   against the sandbox's ground truth (`BENCH_ONLY=truth`)
// SQLite always; PostgreSQL too when its binaries are on the machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench-results');
mkdirSync(out, { recursive: true });

function bench(script, env) {
  const res = spawnSync(
    process.execPath,
    ['--require', '@backstage/cli/config/nodeTransform.cjs', script],
    {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const line = res.stdout.trim().split('\n').pop();
  if (res.status !== 0 || !line?.startsWith('{')) {
    throw new Error(`${script} failed:\n${res.stderr}`);
  }
  return JSON.parse(line);
}
const ingestion = env => bench('bench/ingestion.ts', env);
const api = env => bench('bench/api.ts', env);
const webhooks = env => bench('bench/webhooks.ts', env);
const metrics = env => bench('bench/metrics.ts', env);
const latency = env => bench('bench/latency.ts', env);
const fleet = env => bench('bench/fleet.ts', env);
const httpStack = env => bench('bench/http.ts', env);
// the edge shape: BENCH_CLUSTERS clusters (default 1,000) x 100 applications
const edge = env =>
  ingestion({
    BENCH_CLUSTERS: process.env.BENCH_CLUSTERS ?? '1000',
    ...env,
  });
const started = Date.now();

/** Runs a bench script on its own (its progress on stderr); its last line is JSON. */
function runScript(args) {
  const res = spawnSync(process.execPath, args, {
    cwd: root,
    env: process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = res.stdout.trim().split('\n').pop();
  if (res.status !== 0 || !line?.startsWith('{'))
    throw new Error(`${args.at(-1)} failed (exit ${res.status})`);
  return JSON.parse(line);
}
// an open Deployments tab in Chromium on the real portal: signals vs polling
const pageBench = () => runScript(['bench/page.mjs']);
function reportPage(page) {
  console.log(
    '\nAn open Deployments tab: from the controller finishing a deployment until the tab shows it, no reload (goal: p95 <= 3 s with signals)',
  );
  console.table(
    ['signals', 'polling'].map(mode => ({
      mode,
      samples: page[mode].samples,
      'p50 (ms)': page[mode].p50Ms,
      'p95 (ms)': page[mode].p95Ms,
      'max (ms)': page[mode].maxMs,
      'gitops requests on open': page[mode].requestsOnOpen,
      [`idle requests (${page[mode].idleSeconds} s)`]: page[mode].idleRequests,
    })),
  );
  writeFileSync(join(out, 'page.json'), JSON.stringify(page, null, 2));
}
if (process.env.BENCH_ONLY === 'page') {
  reportPage(pageBench());
  process.exit(0);
}

// the stored history of `npm start` against the sandbox's ground truth
const truthBench = () =>
  runScript([
    '--require',
    '@backstage/cli/config/nodeTransform.cjs',
    'bench/truth.ts',
  ]);
function reportTruth(truth) {
  console.log(
    `\nHistory you can trust: npm start for ${truth.minutes} minutes (commits: ${truth.commitEverySeconds}), ${truth.deployments} deployments, stored history vs ground truth (goal: diagonal)`,
  );
  console.log(truth.table);
  console.table([
    {
      missing: truth.missing,
      extra: truth.extra,
      mislabelled: truth.mislabelled,
      'new-commit as self-heal': truth.newCommitAsSelfHeal,
      'commits brought equal': `${truth.commits.equal} / ${truth.commits.known}`,
      'commits not read': truth.commits.notRead,
    },
  ]);
  writeFileSync(join(out, 'truth.json'), JSON.stringify(truth, null, 2));
}
if (process.env.BENCH_ONLY === 'truth') {
  reportTruth(truthBench());
  process.exit(0);
}

// the rivals, from npm, into a bench-only package (not a workspace)
const rivals = join(root, 'bench', 'rivals');
const install = spawnSync(
  'npm',
  [
    'install',
    '--no-audit',
    '--no-fund',
    '--no-package-lock',
    '--loglevel=error',
  ],
  {
    cwd: rivals,
    encoding: 'utf8',
  },
);
const installError =
  install.status === 0
    ? undefined
    : (install.stderr || install.stdout || String(install.error))
        .trim()
        .split('\n')
        .slice(0, 3)
        .join(' ');
const comparison = bench('bench/compare.ts', {});
if (installError) comparison.installError = installError;

const results = [ingestion({})];
const apiResults = [api({})];
const metricsResults = [metrics({})];
const webhookResults = [webhooks({})];
const latencyResults = [latency({})];
const edgeResults = [edge({})];
const fleetResults = [fleet({})];
const httpResults = [httpStack({})];
let pgDir;
if (existsSync('/usr/lib/postgresql/15/bin/initdb')) {
  const envOut = execFileSync(
    'bash',
    [join(root, 'scripts/start-postgres.sh')],
    { encoding: 'utf8' },
  );
  const vars = Object.fromEntries(
    envOut
      .split('\n')
      .map(l => /^export (\w+)='(.*)'$/.exec(l))
      .filter(Boolean)
      .map(m => [m[1], m[2]]),
  );
  pgDir = vars.PGTEST_DIR;
  const server = vars.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  for (const db of [
    'bench_ingestion',
    'bench_api',
    'bench_webhooks',
    'bench_metrics',
    'bench_latency',
    'bench_edge',
    'bench_fleet',
    'bench_http',
  ]) {
    execFileSync('psql', [
      `${server}/postgres`,
      '-q',
      '-c',
      `CREATE DATABASE ${db}`,
    ]);
  }
  results.push(ingestion({ BENCH_PG: `${server}/bench_ingestion` }));
  apiResults.push(api({ BENCH_PG: `${server}/bench_api` }));
  metricsResults.push(metrics({ BENCH_PG: `${server}/bench_metrics` }));
  webhookResults.push(webhooks({ BENCH_PG: `${server}/bench_webhooks` }));
  latencyResults.push(latency({ BENCH_PG: `${server}/bench_latency` }));
  edgeResults.push(edge({ BENCH_PG: `${server}/bench_edge` }));
  fleetResults.push(fleet({ BENCH_PG: `${server}/bench_fleet` }));
  httpResults.push(httpStack({ BENCH_PG: `${server}/bench_http` }));
  spawnSync('bash', [
    '-c',
    `su postgres -s /bin/bash -c "/usr/lib/postgresql/15/bin/pg_ctl -D '${pgDir}' -m fast stop" >/dev/null 2>&1 || true`,
  ]);
}

console.log(
  '\nIngestion (goal: 10k apps across 5 instances in <= 10 s, <= 300 MB, 0 writes on an unchanged cycle)',
);
console.table(
  results.map(r => ({
    database: r.database,
    applications: r.applications,
    instances: r.instances,
    'first cycle (s)': r.firstCycleSeconds,
    'unchanged cycle (s)': r.secondCycleSeconds,
    'unchanged-cycle writes': r.secondCycleWrites,
    'peak RSS (MB, backend only)': r.peakRssMB,
  })),
);
console.log(
  '\nEdge fleet: clusters x 100 applications, an Argo CD instance each (goal: 100k applications, <= 400 MB)',
);
console.table(
  edgeResults.map(r => ({
    database: r.database,
    applications: r.applications,
    instances: r.instances,
    'first complete state (s)': r.firstCycleSeconds,
    'unchanged cycle (s)': r.secondCycleSeconds,
    'unchanged-cycle writes': r.secondCycleWrites,
    'peak RSS (MB, backend only)': r.peakRssMB,
    'streams open': r.watch?.streams,
    'last change seen after (s; 200: changes never stopped)':
      r.watch?.burstSeconds,
    'steady CPU with streams open (%)': r.watch?.steadyCpuPercent,
  })),
);
console.log(
  '\nFleet page reads at 100k applications, 100 a page (goal: p95 < 200 ms)',
);
console.table(
  fleetResults.map(r => ({
    database: r.database,
    applications: r.applications,
    'first page p50/p95 (ms)': `${r.firstPage.p50ms} / ${r.firstPage.p95ms}`,
    'pages 1-200 by cursor p50/p95 (ms)': `${r.deepPages.p50ms} / ${r.deepPages.p95ms}`,
    'search p50/p95 (ms)': `${r.search.p50ms} / ${r.search.p95ms}`,
    'filter p50/p95 (ms)': `${r.filtered.p50ms} / ${r.filtered.p95ms}`,
    'matrix p50/p95 (ms)': `${r.matrix.p50ms} / ${r.matrix.p95ms}`,
  })),
);
console.log(
  "\nAn entity's Deployments through the HTTP stack (auth, catalog lookup, router) at 100k applications (goal: p95 <= 10 ms)",
);
console.table(
  httpResults.flatMap(r =>
    ['ordinaryService', 'edgeService'].map(kind => ({
      database: r.database,
      applications: r.applications,
      service: `${kind === 'edgeService' ? 'edge' : 'ordinary'} (${
        r[kind].applications
      } apps)`,
      'p50/p95 (ms)': `${r[kind].p50ms} / ${r[kind].p95ms}`,
      'response (KB)': r[kind].responseKB,
    })),
  ),
);
console.log(
  '\nChange-to-visible latency: a commit at the controller until the store has it (goal: p95 <= 2 s with the watch)',
);
console.table(
  latencyResults.flatMap(r =>
    ['watch', 'polling'].map(mode => ({
      database: r.database,
      mode,
      'poll interval (s)': r.pollIntervalSeconds,
      samples: r[mode].samples,
      'p50 (ms)': r[mode].p50Ms,
      'p95 (ms)': r[mode].p95Ms,
    })),
  ),
);
console.log(
  '\nEntity Deployments + history reads (goal: p95 <= 25 ms at 20k apps / 1M history rows)',
);
console.table(
  apiResults.map(r => ({
    database: r.database,
    applications: r.applications,
    'history rows': r.historyRows,
    requests: r.requests,
    'p50 (ms)': r.p50ms,
    'p95 (ms)': r.p95ms,
  })),
);
console.log(
  '\nDelivery metrics, 30-day window (goal: p95 <= 50 ms at 20k apps / 1M history rows)',
);
console.table(
  metricsResults.map(r => ({
    database: r.database,
    'history rows': r.historyRows,
    'team p50/p95 (ms)': `${r.teamP50ms} / ${r.teamP95ms}`,
    'fleet p50/p95 (ms, snapshot)': `${r.fleetP50ms} / ${r.fleetP95ms}`,
    'team view p50/p95 (ms, snapshot)': `${r.teamViewP50ms} / ${r.teamViewP95ms}`,
    'fleet computed live (ms)': r.fleetLiveP50ms,
    'snapshot refresh, all windows (s)': r.snapshotRefreshSeconds,
  })),
);
console.log(
  '\nWebhook ingestion (goal: >= 2,000 events/s on PostgreSQL, nothing lost)',
);
console.table(
  webhookResults.map(r => ({
    database: r.database,
    senders: r.senders,
    'events sent (10% redelivered)': r.eventsSent,
    'events/s': r.eventsPerSecond,
    'distinct events': r.distinctEvents,
    'deployments stored': r.deploymentsStored,
    lost: r.lost,
    'non-202 answers': Object.keys(r.otherStatuses).length
      ? JSON.stringify(r.otherStatuses)
      : 0,
  })),
);
console.log(
  `\nOne service page (deployments + history), ${comparison.instances} Argo CD instances at ${comparison.latencyMs} ms latency, ${comparison.pages} page loads (goal: >= 20x faster than the rivals)`,
);
console.table(
  comparison.results.map(r => ({
    backend: r.backend,
    'p50 (ms)': r.p50ms ?? '-',
    'p95 (ms)': r.p95ms ?? '-',
    'requests per page': r.requests ?? '-',
    'apps / history entries':
      r.apps === undefined ? '-' : `${r.apps} / ${r.historyEntries}`,
    'ours faster by':
      r.fasterBy ?? (r.error ? `not measured: ${r.error}` : '-'),
  })),
);
if (comparison.installError)
  console.log(`Installing the rivals failed: ${comparison.installError}`);
reportPage(pageBench());
reportTruth(truthBench());
console.log(
  `\nbench finished in ${Math.round((Date.now() - started) / 1000)} s`,
);
writeFileSync(
  join(out, 'scale.json'),
  JSON.stringify(
    {
      measuredAt: new Date().toISOString(),
      edge: edgeResults,
      fleet: fleetResults,
      http: httpResults,
      latency: latencyResults,
    },
    null,
    2,
  ),
);
writeFileSync(
  join(out, 'webhooks.json'),
  JSON.stringify(
    { measuredAt: new Date().toISOString(), results: webhookResults },
    null,
    2,
  ),
);
writeFileSync(
  join(out, 'compare.json'),
  JSON.stringify(
    { measuredAt: new Date().toISOString(), ...comparison },
    null,
    2,
  ),
);
writeFileSync(
  join(out, 'ingestion.json'),
  JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2),
);
writeFileSync(
  join(out, 'api.json'),
  JSON.stringify(
    { measuredAt: new Date().toISOString(), results: apiResults },
    null,
    2,
  ),
);
