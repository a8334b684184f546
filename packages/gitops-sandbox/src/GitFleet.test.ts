import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitFleet } from './GitFleet';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dana',
      GIT_AUTHOR_EMAIL: 'dana@example.com',
      GIT_COMMITTER_NAME: 'Dana',
      GIT_COMMITTER_EMAIL: 'dana@example.com',
    },
  })
    .toString()
    .trim();

describe('GitFleet', () => {
  it('builds its next demo commit on top of a commit someone else pushed, instead of failing', () => {
    const fleet = new GitFleet({ repos: ['checkout'], initialCommits: 2 });
    const bare = path.join(fleet.root, 'checkout.git');
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-fleet-'));
    git(clone, 'clone', '--quiet', bare, '.');
    fs.writeFileSync(path.join(clone, 'README.md'), '# checkout\n');
    git(clone, 'add', '.');
    git(clone, 'commit', '--quiet', '-m', 'docs: a user pushes');
    git(clone, 'push', '--quiet', 'origin', 'main');
    const theirs = git(clone, 'rev-parse', 'HEAD');

    const ours = fleet.commit('checkout', 'feat: the sandbox pushes');
    expect(fleet.head('checkout')).toBe(ours);
    // the user's commit is kept, under the sandbox's
    expect(git(bare, 'rev-parse', `${ours}^`)).toBe(theirs);
    fs.rmSync(clone, { recursive: true, force: true });
    fs.rmSync(fleet.root, { recursive: true, force: true });
  });
});
