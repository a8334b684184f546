// Installs dependencies when they are missing or older than package-lock.json,
// so that `npm start` and `npm test` work straight from a fresh clone.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');

const stale =
  !existsSync(marker) ||
  (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);

if (stale) {
  // `npm install`, not `npm ci`: the lockfile lacks other platforms' optional
  // binaries that the registry does not have, which `npm ci` refuses.
  console.log(
    '[gitops] dependencies missing or outdated, running npm install ...',
  );
  execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}
