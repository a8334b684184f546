import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '@backstage/errors';
import { Octokit } from '@octokit/rest';
import { branchUrl, commitUrl, compareUrl, RepoRef } from './repoUrl';
import { SafeWorkTree } from './workTree';

const execFileAsync = promisify(execFile);

/**
 * Runs git in a folder, with an optional Authorization header passed through
 * the environment (never the command line, so never in a process list or a
 * log), and an error that says what failed without echoing credentials.
 *
 * @public
 */
export async function runGit(
  cwd: string,
  args: string[],
  options: { auth?: string; author?: { name: string; email: string } } = {},
): Promise<string> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    GIT_TERMINAL_PROMPT: '0',
  };
  if (options.auth) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: ${options.auth}`;
  }
  if (options.author) {
    env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = options.author.name;
    env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = options.author.email;
  }
  try {
    const { stdout } = await execFileAsync('git', args, {
      cwd,
      env,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const lines = (e.stderr || e.message)
      .split('\n')
      .map(l => l.trim())
      .filter(Boolean);
    const fatal = lines.filter(l => /^(fatal|error|remote):/.test(l));
    // the subcommand, past any `-c key=value` before it
    const command = args.find(
      (arg, i) => !arg.startsWith('-') && args[i - 1] !== '-c',
    );
    throw new Error(
      `git ${command ?? args[0]} failed: ${(fatal.length
        ? fatal
        : lines.slice(-2)
      ).join(' ')}`,
    );
  }
}

/**
 * The base branch already has the change.
 *
 * @public
 */
export class NothingToChangeError extends Error {
  name = 'NothingToChangeError';
}

/**
 * A checked-out working tree of the base branch, handed to the edit.
 *
 * @public
 */
export interface GitWorkTree {
  dir: string;
  /** Runs git in the working tree (with the repository's credentials). */
  git(args: string[]): Promise<string>;
  /**
   * Reads and writes the tree's files without leaving it: links and
   * submodules are refused, and files over the size limit.
   */
  files: SafeWorkTree;
}

/**
 * A change to propose to a repository.
 *
 * @public
 */
export interface GitChangeOptions {
  repo: RepoRef;
  /** Authorization header for the repository, if any. */
  auth?: string;
  baseBranch: string;
  /** The branch to push; ignored for direct commits. */
  branch: string;
  mode: 'pull-request' | 'branch' | 'direct';
  /** Makes the change in the working tree; a revert may commit itself. */
  edit(tree: GitWorkTree): Promise<void>;
  /** The commit message; a function is called after the edit. */
  message: string | (() => string);
  author: { name: string; email: string };
  /** Compute the commit and its diff, push nothing. */
  dryRun?: boolean;
  /** Opens the pull request once the branch is pushed (mode pull-request). */
  openPullRequest?(branch: string): Promise<{ url: string; number: number }>;
  /** The largest file the edit may read or write; default 1 MiB. */
  maxFileBytes?: number;
}

/**
 * What a proposed change did.
 *
 * @public
 */
export interface GitChangeResult {
  files: Array<{ path: string; diff: string }>;
  commitSha: string;
  branch: string;
  /**
   * Pull request, compare view or branch page; for a direct commit, the
   * commit's page. None where the host has no such page.
   */
  url?: string;
  pullRequestNumber?: number;
  pushed: boolean;
}

/**
 * Proposes a change to a Git repository: clones the base branch, lets the
 * caller edit it, commits, and pushes a branch (then opens a pull request
 * through the callback) or commits directly to the base branch. Nothing is
 * left half-done: a pushed branch whose pull request cannot be opened is
 * deleted again, and an edit that changes nothing is refused.
 *
 * @public
 */
export async function proposeGitChange(
  options: GitChangeOptions,
): Promise<GitChangeResult> {
  const { repo, auth, baseBranch, mode } = options;
  const branch = mode === 'direct' ? baseBranch : options.branch;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-change-'));
  const dir = path.join(tmp, 'repo');
  const git = (args: string[], author = false) =>
    runGit(dir, args, {
      auth,
      author: author ? options.author : undefined,
    });
  try {
    await runGit(
      tmp,
      [
        // links are checked out as plain files holding their target, so no
        // path of the working tree leads out of it (the edit refuses them)
        '-c',
        'core.symlinks=false',
        'clone',
        '--quiet',
        '--no-recurse-submodules',
        '--config',
        'core.symlinks=false',
        '--filter=blob:none',
        '--branch',
        baseBranch,
        repo.cloneUrl,
        'repo',
      ],
      { auth },
    ).catch(error => {
      // a base branch the repository does not have is the caller's mistake
      if (/Remote branch .* not found/.test((error as Error).message)) {
        throw new InputError(
          `${repo.webUrl} has no branch '${baseBranch}' to propose a change against`,
        );
      }
      throw error;
    });
    const base = await git(['rev-parse', 'HEAD']);
    if (mode !== 'direct') await git(['checkout', '--quiet', '-b', branch]);
    const editGit = (args: string[]) => git(args, true);
    await options.edit({
      dir,
      git: editGit,
      files: new SafeWorkTree(dir, {
        git: editGit,
        maxFileBytes: options.maxFileBytes,
      }),
    });
    await git(['add', '--all']);
    const staged = await git(['diff', '--cached', '--name-only']);
    if (staged) {
      const message =
        typeof options.message === 'function'
          ? options.message()
          : options.message;
      await git(['commit', '--quiet', '--no-verify', '-m', message], true);
    }
    const commitSha = await git(['rev-parse', 'HEAD']);
    if (commitSha === base) {
      throw new NothingToChangeError(
        `${repo.webUrl} (${baseBranch}) already has this change: nothing to propose`,
      );
    }
    const names = (await git(['diff', '--name-only', base, commitSha]))
      .split('\n')
      .filter(Boolean);
    const files = [];
    for (const file of names) {
      files.push({
        path: file,
        diff: await git(['diff', '--no-color', base, commitSha, '--', file]),
      });
    }
    const result: GitChangeResult = {
      files,
      commitSha,
      branch,
      pushed: false,
    };
    if (options.dryRun) return result;
    await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
    result.pushed = true;
    if (mode === 'pull-request' && options.openPullRequest) {
      try {
        const pr = await options.openPullRequest(branch);
        result.url = pr.url;
        result.pullRequestNumber = pr.number;
      } catch (error) {
        // leave nothing behind: the branch goes with the failed proposal
        await git(['push', '--quiet', 'origin', '--delete', branch]).catch(
          () => undefined,
        );
        throw error;
      }
    } else if (mode === 'branch') {
      // the change itself, never the repository's front page
      result.url =
        compareUrl(repo, baseBranch, branch) ?? branchUrl(repo, branch);
    } else if (mode === 'direct') {
      result.url = commitUrl(repo, commitSha);
    }
    return result;
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Opens a pull request on GitHub (or GitHub Enterprise) with Octokit.
 *
 * @public
 */
export async function openGithubPullRequest(options: {
  repo: RepoRef;
  token?: string;
  apiBaseUrl?: string;
  head: string;
  base: string;
  title: string;
  body?: string;
}): Promise<{ url: string; number: number }> {
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.apiBaseUrl ?? 'https://api.github.com',
  });
  const { data } = await octokit.pulls.create({
    owner: options.repo.path[0],
    repo: options.repo.path[1],
    head: options.head,
    base: options.base,
    title: options.title,
    body: options.body,
  });
  return { url: data.html_url, number: data.number };
}
