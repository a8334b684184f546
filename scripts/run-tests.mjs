// `npm test`: every Jest test of the repo (unit, component, store tests on
// SQLite, and on PostgreSQL). When no PostgreSQL connection string is set
// and PostgreSQL server binaries are on the machine, a throwaway server is
// started for the run. Prints `N passed, N failed` last; exits non-zero on
// any failure or when no test ran.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PG_VAR = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
const env = { ...process.env, BACKSTAGE_TEST_DISABLE_DOCKER: '1' };
let pgDir;

if (!env[PG_VAR] && existsSync('/usr/lib/postgresql/15/bin/initdb')) {
  const out = execFileSync('bash', [join(root, 'scripts/start-postgres.sh')], {
    encoding: 'utf8',
  });
  for (const line of out.split('\n')) {
    const m = /^export (\w+)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  pgDir = env.PGTEST_DIR;
  console.log(`[gitops] started PostgreSQL 15 for store tests: ${env[PG_VAR]}`);
}
if (!env[PG_VAR]) {
  console.log(`[gitops] ${PG_VAR} is not set: store tests run on SQLite only`);
}

const resultsDir = join(root, 'test-results');
mkdirSync(resultsDir, { recursive: true });
const outputFile = join(resultsDir, 'jest.json');

const run = spawnSync(
  join(root, 'node_modules/.bin/backstage-cli'),
  [
    'repo',
    'test',
    '--no-watch',
    '--json',
    `--outputFile=${outputFile}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, env, stdio: 'inherit' },
);

if (pgDir) {
  spawnSync('bash', [
    '-c',
    `su postgres -s /bin/bash -c "/usr/lib/postgresql/15/bin/pg_ctl -D '${pgDir}' -m fast stop" >/dev/null 2>&1 || /usr/lib/postgresql/15/bin/pg_ctl -D '${pgDir}' -m fast stop >/dev/null 2>&1`,
  ]);
}

let passed = 0;
let failed = 1;
if (existsSync(outputFile)) {
  const results = JSON.parse(readFileSync(outputFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
}
console.log(`${passed} passed, ${failed} failed`);
if (run.status !== 0 || failed > 0 || passed === 0) {
  process.exit(run.status || 1);
}
