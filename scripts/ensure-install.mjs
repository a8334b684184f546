// Installs dependencies when they are missing or older than package-lock.json,
// so that `npm start` and `npm test` work straight from a fresh clone.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');
const run = cmd => execSync(cmd, { cwd: root, stdio: 'inherit' });

const stale =
  !existsSync(marker) ||
  (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);

if (stale) {
  // `npm install` follows the lockfile (CI proves it complete with `npm ci`)
  // and keeps what is already installed
  console.log(
    '[gitops] dependencies missing or outdated, running npm install ...',
  );
  run('npm install --no-audit --no-fund');
}

// The SQLite driver for this Node. better-sqlite3 12 (the lockfile's) aborts
// the process on Node >= 24.19 when the garbage collector frees a statement
// (node::ObjectWrap's cleanup hooks); 13 fixes that, needs Node >= 22 and
// ships prebuilt binaries, and crashes on Node 20. So Node 22 and 24 run 13
// (installed without changing package.json or the lockfile), Node 20 the
// lockfile's 12.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const driver = join(root, 'node_modules', 'better-sqlite3', 'package.json');
if (existsSync(driver)) {
  const major = Number(
    JSON.parse(readFileSync(driver, 'utf8')).version.split('.')[0],
  );
  if (nodeMajor >= 22 && major < 13) {
    console.log(
      `[gitops] Node ${process.versions.node}: installing better-sqlite3 13 (12 aborts on Node >= 24.19) ...`,
    );
    run('npm install --no-save --no-audit --no-fund better-sqlite3@^13.2.0');
  } else if (nodeMajor < 22 && major >= 13) {
    console.log(
      `[gitops] Node ${process.versions.node}: back to the lockfile's better-sqlite3 12 ...`,
    );
    run('npm install --no-audit --no-fund');
  }
}
