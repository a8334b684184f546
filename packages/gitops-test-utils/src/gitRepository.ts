import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs git in `cwd` as a fixed author; answers its trimmed output. */
export const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
    },
  })
    .toString()
    .trim();

/**
 * A real bare repository (`<root>/<name>.git`, reachable as a file:// URL)
 * with a working clone beside it; each commit writes files, or lets `change`
 * do anything to the working tree, then pushes to main.
 */
export function gitRepository(
  name: string,
  root = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`)),
) {
  const bare = path.join(root, `${name}.git`);
  git(root, 'init', '--bare', '--quiet', '-b', 'main', bare);
  const work = path.join(root, `${name}-work`);
  git(root, 'clone', '--quiet', bare, work);
  git(work, 'checkout', '--quiet', '-B', 'main');
  return {
    bare,
    work,
    url: `file://${bare}`,
    commit(
      message: string,
      change: Record<string, string> | ((dir: string) => void),
    ) {
      if (typeof change === 'function') change(work);
      else
        for (const [file, text] of Object.entries(change)) {
          fs.mkdirSync(path.dirname(path.join(work, file)), {
            recursive: true,
          });
          fs.writeFileSync(path.join(work, file), text);
        }
      git(work, 'add', '--all');
      git(work, 'commit', '--quiet', '-m', message);
      git(work, 'push', '--quiet', 'origin', 'HEAD:main');
      return git(work, 'rev-parse', 'HEAD');
    },
    show: (ref: string, file: string) => git(bare, 'show', `${ref}:${file}`),
    refs: () => git(bare, 'for-each-ref', '--format=%(refname)'),
    head: (ref = 'main') => git(bare, 'rev-parse', ref),
  };
}
