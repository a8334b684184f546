// `npm run bench`: benchmarks measured on this machine, printed as a table
// and written to bench-results/. Not part of `npm test`.
// Measured so far: ingestion at scale (SQLite, and PostgreSQL when its
// binaries are on the machine). Not built yet: API latency at 1M history
// rows, webhook throughput, the comparison with the rival Argo CD plugins.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench-results');
mkdirSync(out, { recursive: true });

function ingestion(env) {
  const res = spawnSync(
    process.execPath,
    ['--require', '@backstage/cli/config/nodeTransform.cjs', 'bench/ingestion.ts'],
    { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const line = res.stdout.trim().split('\n').pop();
  if (res.status !== 0 || !line?.startsWith('{')) {
    throw new Error(`ingestion benchmark failed:\n${res.stderr}`);
  }
  return JSON.parse(line);
}

const results = [ingestion({})];
let pgDir;
if (existsSync('/usr/lib/postgresql/15/bin/initdb')) {
  const envOut = execFileSync('bash', [join(root, 'scripts/start-postgres.sh')], { encoding: 'utf8' });
  const vars = Object.fromEntries(
    envOut.split('\n').map(l => /^export (\w+)='(.*)'$/.exec(l)).filter(Boolean).map(m => [m[1], m[2]]),
  );
  pgDir = vars.PGTEST_DIR;
  results.push(ingestion({ BENCH_PG: `${vars.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING}/postgres` }));
  spawnSync('bash', ['-c', `su postgres -s /bin/bash -c "/usr/lib/postgresql/15/bin/pg_ctl -D '${pgDir}' -m fast stop" >/dev/null 2>&1 || true`]);
}

console.log('\nIngestion (goal: 10k apps across 5 instances in <= 10 s, <= 300 MB, 0 writes on an unchanged cycle)');
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
console.log('Not measured yet: entity API p50/p95 at 20k apps / 1M history rows, webhook throughput, rival comparison.');
writeFileSync(join(out, 'ingestion.json'), JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2));
