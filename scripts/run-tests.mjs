// `npm test`: every Jest test of the repo (unit, component, store tests on
// SQLite, and on PostgreSQL). `npm run test:soak` (`--soak`): the long runs
// only, the ground-truth soak and the killed replica, which `npm test` skips.
// When no PostgreSQL connection string is set
// and PostgreSQL server binaries are on the machine, a throwaway server is
// started for the run. Prints `N passed, N failed` last; exits non-zero on
// any failure or when no test ran.
import { spawnSync, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PG_VAR = 'BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING';
const env = { ...process.env, BACKSTAGE_TEST_DISABLE_DOCKER: '1' };
const SOAK_TESTS = [
  'plugins/gitops-backend/src/groundTruth.test.ts',
  'plugins/gitops-backend/src/kill.test.ts',
];
const soak = process.argv.includes('--soak');
const args = process.argv.slice(2).filter(a => a !== '--soak');
if (soak) {
  env.GITOPS_SOAK = '1';
  args.push(...SOAK_TESTS);
}
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

// every temporary folder the tests make (Git repositories, clones, caches)
// goes under one that is removed when they end; Jest keeps its transform
// cache where it always does
const testTmp = mkdtempSync(join(tmpdir(), 'gitops-test-'));
const jestCache = join(
  tmpdir(),
  `jest_${(process.getuid?.() ?? 0).toString(36)}`,
);
env.TMPDIR = testTmp;

const run = spawnSync(
  join(root, 'node_modules/.bin/backstage-cli'),
  [
    'repo',
    'test',
    '--no-watch',
    '--json',
    `--outputFile=${outputFile}`,
    `--cacheDirectory=${jestCache}`,
    ...args,
  ],
  { cwd: root, env, stdio: 'inherit' },
);
rmSync(testTmp, { recursive: true, force: true });

if (pgDir) {
  spawnSync('bash', [
    '-c',
    `su postgres -s /bin/bash -c "/usr/lib/postgresql/15/bin/pg_ctl -D '${pgDir}' -m fast stop" >/dev/null 2>&1 || /usr/lib/postgresql/15/bin/pg_ctl -D '${pgDir}' -m fast stop >/dev/null 2>&1`,
  ]);
  // the throwaway server's folder (about 100 MB) goes with it
  rmSync(dirname(pgDir), { recursive: true, force: true });
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
