import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PlainGitClient } from './PlainGitClient';
import { RepoRef } from '@gitops-portal/plugin-gitops-node';
import { gitAs } from '@gitops-portal/gitops-test-utils';

jest.setTimeout(60_000);

/** A real repository with a bare remote, built with the git CLI. */
function makeRepo() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-git-'));
  const remote = path.join(root, 'remote.git');
  const work = path.join(root, 'work');
  const git = gitAs({ name: 'Alice Dev', email: 'alice@example.com' });
  execFileSync('git', ['init', '--bare', '--quiet', '-b', 'main', remote]);
  git(remote, 'config', 'uploadpack.allowFilter', 'true');
  git(remote, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  execFileSync('git', ['clone', '--quiet', remote, work], { stdio: 'pipe' });
  git(work, 'checkout', '--quiet', '-b', 'main');
  const commit = (message: string, file = 'file.txt') => {
    fs.appendFileSync(path.join(work, file), `${message}\n`);
    git(work, 'add', '.');
    git(work, 'commit', '--quiet', '-m', message);
    return git(work, 'rev-parse', 'HEAD');
  };
  const push = (...args: string[]) => git(work, 'push', '--quiet', ...args);
  const repo: RepoRef = {
    webUrl: 'https://github.com/acme/app',
    cloneUrl: `file://${remote}`,
    host: 'github.com',
    path: ['acme', 'app'],
    type: 'github',
  };
  return { root, work, git, commit, push, repo };
}

describe('PlainGitClient with real repositories', () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-cache-'));
  const client = new PlainGitClient({ cacheDir });

  it('reads a commit and the commits a branch has after it, newest first, through merges', async () => {
    const r = makeRepo();
    const deployed = r.commit('feat: first');
    r.push('origin', 'main');
    r.git(r.work, 'tag', 'v1.0.0');
    r.push('origin', 'v1.0.0');
    // a feature branch merged with a merge commit
    r.git(r.work, 'checkout', '--quiet', '-b', 'feature/login');
    r.commit('feat: login form', 'login.txt');
    r.git(r.work, 'checkout', '--quiet', 'main');
    r.commit('fix: typo');
    r.git(
      r.work,
      'merge',
      '--quiet',
      '--no-ff',
      '-m',
      'Merge branch feature/login',
      'feature/login',
    );
    r.push('origin', 'main', 'feature/login');

    const commit = await client.getCommit(r.repo, deployed);
    expect(commit).toEqual({
      sha: deployed,
      message: 'feat: first',
      authorName: 'Alice Dev',
      authorEmail: 'alice@example.com',
      committedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      url: `https://github.com/acme/app/commit/${deployed}`,
    });

    const pending = await client.getPending(r.repo, deployed, 'main', 2);
    expect(pending).toMatchObject({
      branch: 'main',
      status: 'ahead',
      count: 3,
    });
    expect(pending.commits.map(c => c.message)).toEqual([
      'Merge branch feature/login',
      'fix: typo',
    ]);
    expect(pending.compareUrl).toBe(
      `https://github.com/acme/app/compare/${deployed}...${pending.headSha}`,
    );

    const onFeature = await client.getPending(
      r.repo,
      deployed,
      'feature/login',
      10,
    );
    expect(onFeature.commits.map(c => c.message)).toEqual(['feat: login form']);
    expect(await client.countBetween(r.repo, deployed, pending.headSha!)).toBe(
      3,
    );
  });

  it('reports an environment that is up to date', async () => {
    const r = makeRepo();
    const head = r.commit('only');
    r.push('origin', 'main');
    expect(await client.getPending(r.repo, head, 'main', 10)).toMatchObject({
      status: 'up-to-date',
      count: 0,
      commits: [],
    });
  });

  it('reports, not crashes, when the deployed commit was force-pushed away', async () => {
    const r = makeRepo();
    r.commit('base');
    const deployed = r.commit('bad commit');
    r.push('origin', 'main');
    await client.getPending(r.repo, deployed, 'main', 10);
    r.git(r.work, 'reset', '--quiet', '--hard', 'HEAD~1');
    r.commit('good commit');
    r.push('--force', 'origin', 'main');
    const pending = await client.getPending(r.repo, deployed, 'main', 10);
    expect(pending).toMatchObject({ status: 'diverged', count: 0 });
    // the commit itself is still known from the cache
    expect((await client.getCommit(r.repo, deployed)).message).toBe(
      'bad commit',
    );
  });

  it('gives a specific error for an unreachable repository and a missing commit', async () => {
    const r = makeRepo();
    r.commit('x');
    r.push('origin', 'main');
    const missing = { ...r.repo, cloneUrl: `file://${r.root}/nope.git` };
    await expect(
      client.getPending(missing, 'a'.repeat(40), 'main', 10),
    ).rejects.toThrow(
      /git fetch failed: .*(does not appear to be a git repository|not found|Could not read)/,
    );
    await expect(client.getCommit(r.repo, 'b'.repeat(40))).rejects.toThrow(
      /commit bbbbbbbbbbbb is not in https:\/\/github.com\/acme\/app/,
    );
  });
});
