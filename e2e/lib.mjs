// What the Chromium end-to-end test's checks share: where the portal and
// the screenshots are, and the sandbox fleet as a developer and a reviewer
// use it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// a run leaves the working tree as it was; the README's images change only
// when asked
export const shots = process.env.UPDATE_SCREENSHOTS
  ? join(root, 'e2e', 'screenshots')
  : join(root, 'test-results', 'e2e-screenshots');
mkdirSync(shots, { recursive: true });
export const appUrl = process.env.GITOPS_E2E_URL ?? 'http://localhost:3000';
export const backendUrl =
  process.env.GITOPS_E2E_BACKEND ?? 'http://localhost:7007';

/**
 * A developer's push over smart HTTP to a sandbox repository: an empty
 * commit on main with this message; answers its short SHA.
 */
export function pushCommit(repo, message) {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-push-'));
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Erin E2E',
        GIT_AUTHOR_EMAIL: 'erin@example.com',
        GIT_COMMITTER_NAME: 'Erin E2E',
        GIT_COMMITTER_EMAIL: 'erin@example.com',
      },
      stdio: 'pipe',
    });
  try {
    git('clone', '--quiet', `http://localhost:7008/git/${repo}.git`, '.');
    git('commit', '--quiet', '--allow-empty', '-m', message);
    git('push', '--quiet', 'origin', 'main');
    return git('rev-parse', 'HEAD').toString().trim().slice(0, 7);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Merges the branch waiting on the sandbox's fleet repository whose name
 * starts so, as a reviewer would (within 30 s; the sandbox may have merged
 * it on its own already).
 */
export async function mergeFleetBranch(prefix) {
  for (let i = 0; i < 30; i++) {
    const { branches } = await (
      await fetch('http://localhost:7008/sandbox/git/branches?repo=fleet')
    ).json();
    const branch = branches.find(b => b.startsWith(prefix));
    if (branch) {
      await fetch('http://localhost:7008/sandbox/git/merge', {
        method: 'POST',
        body: JSON.stringify({ repo: 'fleet', branch }),
      });
      return branch;
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  return undefined;
}

export async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000} s`);
}
