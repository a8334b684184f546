import {
  CommitInfo,
  PendingCommits,
} from '@gitops-portal/plugin-gitops-common';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  commitUrl,
  compareUrl,
  GitAuth,
  RepoRef,
} from '@gitops-portal/plugin-gitops-node';
import { CommitRange, GitHostClient } from './types';

const run = promisify(execFile);
const FORMAT = '%H%x1f%an%x1f%ae%x1f%cI%x1f%B%x1e';

function parseLog(out: string, repo: RepoRef): CommitInfo[] {
  return out
    .split('\x1e')
    .map(r => r.replace(/^\n/, ''))
    .filter(Boolean)
    .map(record => {
      const [sha, authorName, authorEmail, committedAt, message] =
        record.split('\x1f');
      return {
        sha,
        authorName,
        authorEmail: authorEmail || undefined,
        committedAt: new Date(committedAt).toISOString(),
        message: message.trim(),
        url: commitUrl(repo, sha),
      };
    });
}

/**
 * Reads commits of any Git host with the git CLI: a partial, blob-less
 * fetch into a cache directory, one bare repository per remote. Credentials
 * go to git through the environment, never the command line.
 */
export class PlainGitClient implements GitHostClient {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly options: {
      cacheDir: string;
      auth?: GitAuth;
      timeoutMs?: number;
    },
  ) {}

  private dirOf(repo: RepoRef) {
    const id = createHash('sha256')
      .update(repo.cloneUrl)
      .digest('hex')
      .slice(0, 16);
    return path.join(
      this.options.cacheDir,
      `${repo.host.replace(/[^a-z0-9.-]/gi, '_')}-${id}.git`,
    );
  }

  private async git(dir: string, args: string[], repo?: RepoRef) {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: 'true',
    };
    const header = repo && (await this.options.auth?.(repo));
    if (header) {
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = `Authorization: ${header}`;
    }
    try {
      const { stdout } = await run('git', args, {
        cwd: dir,
        env,
        timeout: this.options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      return stdout;
    } catch (error) {
      const e = error as { stderr?: string; message: string; killed?: boolean };
      const lines = (e.stderr || e.message)
        .split('\n')
        .map(l => l.trim())
        .filter(Boolean);
      const fatal = lines.filter(l => /^(fatal|error|remote):/.test(l));
      const detail = (fatal.length ? fatal : lines.slice(-2)).join(' ');
      throw new Error(
        e.killed
          ? `git ${args[0]} timed out`
          : `git ${args[0]} failed: ${detail}`,
      );
    }
  }

  /** Serialises work on one cache directory. */
  private async locked<T>(dir: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(dir) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(fn);
    this.locks.set(dir, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(dir) === next) this.locks.delete(dir);
    }
  }

  private async ensure(repo: RepoRef): Promise<string> {
    const dir = this.dirOf(repo);
    try {
      await fs.access(path.join(dir, 'HEAD'));
    } catch {
      await fs.mkdir(dir, { recursive: true });
      await this.git(dir, ['init', '--bare', '--quiet']);
      await this.git(dir, ['remote', 'add', 'origin', repo.cloneUrl]);
    }
    return dir;
  }

  /** A partial fetch (commits and trees, no blobs, no tags) of `refspec`. */
  private async fetch(repo: RepoRef, dir: string, refspec: string) {
    await this.git(
      dir,
      [
        'fetch',
        '--quiet',
        '--filter=blob:none',
        '--no-tags',
        '--force',
        'origin',
        refspec,
      ],
      repo,
    );
  }

  private async fetchBranch(repo: RepoRef, dir: string, branch: string) {
    // HEAD: the remote's default branch
    const source = branch === 'HEAD' ? 'HEAD' : `refs/heads/${branch}`;
    await this.fetch(repo, dir, `+${source}:refs/remotes/origin/${branch}`);
  }

  private async has(dir: string, sha: string) {
    try {
      await this.git(dir, ['cat-file', '-e', `${sha}^{commit}`]);
      return true;
    } catch {
      return false;
    }
  }

  /** Makes sure a commit is present; fetches all branches when it is not. */
  private async ensureCommit(repo: RepoRef, dir: string, sha: string) {
    if (await this.has(dir, sha)) return;
    try {
      await this.fetch(repo, dir, sha);
    } catch {
      await this.fetch(repo, dir, '+refs/heads/*:refs/remotes/origin/*');
    }
    if (!(await this.has(dir, sha))) {
      throw new Error(
        `commit ${sha.slice(0, 12)} is not in ${
          repo.webUrl
        } (rewritten history?)`,
      );
    }
  }

  /** Opens the cache repository of a remote and works on it under its lock. */
  private async withRepo<T>(
    repo: RepoRef,
    fn: (dir: string) => Promise<T>,
  ): Promise<T> {
    const dir = await this.ensure(repo);
    return this.locked(dir, () => fn(dir));
  }

  async getCommit(repo: RepoRef, sha: string): Promise<CommitInfo> {
    return this.withRepo(repo, async dir => {
      await this.ensureCommit(repo, dir, sha);
      const [commit] = parseLog(
        await this.git(dir, ['log', '-1', `--format=${FORMAT}`, sha]),
        repo,
      );
      return commit;
    });
  }

  async getPending(
    repo: RepoRef,
    sha: string,
    branch: string,
    limit: number,
  ): Promise<PendingCommits> {
    return this.withRepo(repo, async dir => {
      await this.fetchBranch(repo, dir, branch);
      const head = (
        await this.git(dir, ['rev-parse', `refs/remotes/origin/${branch}`])
      ).trim();
      const base = {
        branch,
        headSha: head,
        compareUrl: compareUrl(repo, sha, head),
      };
      if (head === sha)
        return { ...base, status: 'up-to-date', count: 0, commits: [] };
      let onBranch = await this.has(dir, sha);
      if (onBranch) {
        try {
          await this.git(dir, ['merge-base', '--is-ancestor', sha, head]);
        } catch {
          onBranch = false;
        }
      }
      if (!onBranch) {
        // force-pushed: the deployed commit is no longer on the branch
        return { ...base, status: 'diverged', count: 0, commits: [] };
      }
      const count = Number(
        (
          await this.git(dir, ['rev-list', '--count', `${sha}..${head}`])
        ).trim(),
      );
      const commits = parseLog(
        await this.git(dir, [
          'log',
          `--max-count=${limit}`,
          `--format=${FORMAT}`,
          `${sha}..${head}`,
        ]),
        repo,
      );
      return {
        ...base,
        status: count > 0 ? 'ahead' : 'up-to-date',
        count,
        commits,
      };
    });
  }

  async countBetween(repo: RepoRef, from: string, to: string): Promise<number> {
    return this.withRepo(repo, async dir => {
      await this.ensureCommit(repo, dir, from);
      await this.ensureCommit(repo, dir, to);
      return Number(
        (await this.git(dir, ['rev-list', '--count', `${from}..${to}`])).trim(),
      );
    });
  }

  async getRange(
    repo: RepoRef,
    from: string | undefined,
    to: string,
    limit: number,
  ): Promise<CommitRange> {
    return this.withRepo(repo, async dir => {
      await this.ensureCommit(repo, dir, to);
      const [commit] = parseLog(
        await this.git(dir, ['log', '-1', `--format=${FORMAT}`, to]),
        repo,
      );
      if (!from) return { to: commit, count: 1, commits: [commit] };
      await this.ensureCommit(repo, dir, from);
      const count = Number(
        (await this.git(dir, ['rev-list', '--count', `${from}..${to}`])).trim(),
      );
      const commits = count
        ? parseLog(
            await this.git(dir, [
              'log',
              `--max-count=${limit}`,
              `--format=${FORMAT}`,
              `${from}..${to}`,
            ]),
            repo,
          )
        : [];
      return { to: commit, count, commits };
    });
  }
}
