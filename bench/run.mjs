// `npm run bench`: benchmarks measured on this machine, printed as a table
// and written to bench-results/. Not part of `npm test`.
// Measured so far: ingestion at scale and the entity API at 20k apps / 1M
// history rows (SQLite, and PostgreSQL when its binaries are on the
// machine). Not built yet: webhook throughput, the comparison with the
// rival Argo CD plugins.
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

const results = [ingestion({})];
const apiResults = [api({})];
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
  for (const db of ['bench_ingestion', 'bench_api']) {
    execFileSync('psql', [
      `${server}/postgres`,
      '-q',
      '-c',
      `CREATE DATABASE ${db}`,
    ]);
  }
  results.push(ingestion({ BENCH_PG: `${server}/bench_ingestion` }));
  apiResults.push(api({ BENCH_PG: `${server}/bench_api` }));
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
    'peak RSS (MB, incl. in-process sandbox)': r.peakRssMB,
  })),
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
console.log('Not measured yet: webhook throughput, rival comparison.');
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
