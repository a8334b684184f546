import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Who commits in a test repository. */
export interface GitAuthor {
  name: string;
  email: string;
}

const DEV: GitAuthor = { name: 'Dev', email: 'dev@example.com' };

/** Runs git in `cwd` as `author`; answers its trimmed output. */
export const gitAs =
  (author: GitAuthor) =>
  (cwd: string, ...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      },
    })
      .toString()
      .trim();

/** Runs git in `cwd` as a fixed author; answers its trimmed output. */
export const git = gitAs(DEV);

/**
 * A real bare repository (`<root>/<name>.git`, reachable as a file:// URL)
 * with a working clone beside it; each commit writes files, or lets `change`
 * do anything to the working tree, then pushes to main, as `author`.
 */
export function gitRepository(
  name: string,
  root = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`)),
  author: GitAuthor = DEV,
) {
  const run = gitAs(author);
  const bare = path.join(root, `${name}.git`);
  run(root, 'init', '--bare', '--quiet', '-b', 'main', bare);
  const work = path.join(root, `${name}-work`);
  run(root, 'clone', '--quiet', bare, work);
  run(work, 'checkout', '--quiet', '-B', 'main');
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
      run(work, 'add', '--all');
      run(work, 'commit', '--quiet', '-m', message);
      run(work, 'push', '--quiet', 'origin', 'HEAD:main');
      return run(work, 'rev-parse', 'HEAD');
    },
    show: (ref: string, file: string) => run(bare, 'show', `${ref}:${file}`),
    refs: () => run(bare, 'for-each-ref', '--format=%(refname)'),
    head: (ref = 'main') => run(bare, 'rev-parse', ref),
  };
}
