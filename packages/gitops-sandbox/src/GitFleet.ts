import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gitHttpBackend } from './gitHttp';

const MESSAGES = [
  'feat: add health endpoint',
  'fix: handle empty cart',
  'chore: bump base image',
  'feat: expose metrics',
  'fix: retry on timeout',
  'docs: explain rollout',
  'feat: paginate results',
  'refactor: split handlers',
];
const AUTHORS = [
  ['Alice Developer', 'alice@example.com'],
  ['Bob Builder', 'bob@example.com'],
  ['Carol Ops', 'carol@example.com'],
];

/**
 * Real Git repositories for the sandbox: one bare repository per service,
 * with history, served over smart HTTP by `git http-backend`. New commits
 * land on `main`, as a developer's push would.
 */
export class GitFleet {
  readonly root: string;
  private readonly shas = new Map<string, string[]>();
  /** The root is a temporary folder made here: removed by `dispose`. */
  private readonly ownRoot: boolean;

  constructor(options: {
    root?: string;
    repos: string[];
    initialCommits?: number;
  }) {
    this.ownRoot = !options.root;
    this.root =
      options.root ??
      fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-sandbox-git-'));
    for (const repo of options.repos)
      this.create(repo, options.initialCommits ?? 16);
  }

  /** Removes the repositories, when their folder was made here. */
  dispose(): void {
    if (this.ownRoot) fs.rmSync(this.root, { recursive: true, force: true });
  }

  private git(cwd: string, args: string[], env: Record<string, string> = {}) {
    return execFileSync('git', args, { cwd, env: { ...process.env, ...env } })
      .toString()
      .trim();
  }

  private work(repo: string) {
    return path.join(this.root, 'work', repo);
  }

  private create(repo: string, commits: number) {
    const bare = this.bare(repo);
    if (fs.existsSync(bare)) return;
    this.createEmpty(repo);
    const work = this.work(repo);
    fs.mkdirSync(work, { recursive: true });
    this.git(work, ['init', '--quiet', '-b', 'main']);
    this.git(work, ['remote', 'add', 'origin', bare]);
    fs.mkdirSync(path.join(work, 'deploy'), { recursive: true });
    const start = Date.now() - commits * 3_600_000;
    for (let i = 0; i < commits; i++)
      this.addCommit(repo, undefined, start + i * 3_600_000, false);
    this.git(work, ['push', '--quiet', 'origin', 'main']);
  }

  private addCommit(
    repo: string,
    message: string | undefined,
    at: number,
    push: boolean,
    attempt = 1,
  ): string {
    const work = this.work(repo);
    if (push) {
      // someone else (a user, a test, a template) may have pushed since:
      // build on what the repository holds now, as a developer would
      this.git(work, ['fetch', '--quiet', 'origin', 'main']);
      this.git(work, ['reset', '--quiet', '--hard', 'origin/main']);
    }
    const list = this.shas.get(repo) ?? [];
    const n = list.length;
    const [name, email] = AUTHORS[n % AUTHORS.length];
    fs.writeFileSync(
      path.join(work, 'deploy', 'version.txt'),
      `${repo} ${n + 1}\n`,
    );
    this.git(work, ['add', '.']);
    const date = new Date(at).toISOString();
    this.git(
      work,
      [
        'commit',
        '--quiet',
        '-m',
        message ?? `${MESSAGES[n % MESSAGES.length]} (#${n + 1})`,
      ],
      {
        GIT_AUTHOR_NAME: name,
        GIT_AUTHOR_EMAIL: email,
        GIT_COMMITTER_NAME: name,
        GIT_COMMITTER_EMAIL: email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    );
    const sha = this.git(work, ['rev-parse', 'HEAD']);
    if (push) {
      try {
        this.git(work, ['push', '--quiet', 'origin', 'main']);
      } catch (error) {
        // a push landed between our fetch and ours: start again on top of it
        if (attempt >= 3) throw error;
        return this.addCommit(repo, message, at, push, attempt + 1);
      }
    }
    list.push(sha);
    this.shas.set(repo, list);
    return sha;
  }

  /**
   * Commits files to a repository's main branch, as a person pushing to it
   * would; files already as given are left alone (returns undefined then).
   */
  writeFiles(
    repo: string,
    files: Record<string, string>,
    message: string,
  ): string | undefined {
    const work = this.work(repo);
    this.git(work, ['fetch', '--quiet', 'origin', 'main']);
    this.git(work, ['reset', '--quiet', '--hard', 'origin/main']);
    for (const [file, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), text);
    }
    this.git(work, ['add', '.']);
    if (!this.git(work, ['status', '--porcelain'])) return undefined;
    this.git(work, ['commit', '--quiet', '-m', message], {
      GIT_AUTHOR_NAME: 'Platform Team',
      GIT_AUTHOR_EMAIL: 'platform@example.com',
      GIT_COMMITTER_NAME: 'Platform Team',
      GIT_COMMITTER_EMAIL: 'platform@example.com',
    });
    this.git(work, ['push', '--quiet', 'origin', 'main']);
    return this.git(work, ['rev-parse', 'HEAD']);
  }

  /** Branches other than main, e.g. proposals pushed by the portal. */
  branches(repo: string): string[] {
    if (!this.exists(repo)) return [];
    return this.git(this.bare(repo), [
      'for-each-ref',
      '--format=%(refname:short)',
      'refs/heads/',
    ])
      .split('\n')
      .filter(b => b && b !== 'main');
  }

  /**
   * Merges a branch into main with a merge commit and deletes it, as a
   * reviewer merging a pull request would. Returns the merge commit, or
   * undefined when there is no such branch.
   */
  merge(repo: string, branch: string, by = 'Reviewer'): string | undefined {
    if (!this.branches(repo).includes(branch)) return undefined;
    const work = this.work(repo);
    if (!fs.existsSync(work)) {
      fs.mkdirSync(path.dirname(work), { recursive: true });
      this.git(this.root, ['clone', '--quiet', this.bare(repo), work]);
    }
    const who = {
      GIT_AUTHOR_NAME: by,
      GIT_AUTHOR_EMAIL: 'reviewer@example.com',
      GIT_COMMITTER_NAME: by,
      GIT_COMMITTER_EMAIL: 'reviewer@example.com',
    };
    this.git(work, ['fetch', '--quiet', 'origin']);
    this.git(work, ['checkout', '--quiet', '-B', 'main', 'origin/main']);
    this.git(
      work,
      [
        'merge',
        '--quiet',
        '--no-ff',
        '-m',
        `Merge branch '${branch}'`,
        `origin/${branch}`,
      ],
      who,
    );
    this.git(work, ['push', '--quiet', 'origin', 'main']);
    this.git(work, ['push', '--quiet', 'origin', '--delete', branch]);
    return this.git(work, ['rev-parse', 'HEAD']);
  }

  /** The repository name of a sandbox URL such as http://localhost:7008/git/checkout.git. */
  static repoOf(url: string): string | undefined {
    return /\/git\/([^/]+?)(?:\.git)?$/.exec(url)?.[1];
  }

  has(repo: string) {
    return this.shas.has(repo);
  }

  private bare(repo: string) {
    return path.join(this.root, `${repo}.git`);
  }

  /** Whether a repository exists (created by the sandbox or by a push). */
  exists(repo: string): boolean {
    return GitFleet.validName(repo) && fs.existsSync(this.bare(repo));
  }

  static validName(repo: string): boolean {
    return /^[a-z0-9][a-z0-9._-]{0,62}$/i.test(repo) && !repo.includes('..');
  }

  /** An empty bare repository that accepts pushes, as a Git host creates one. */
  createEmpty(repo: string): void {
    if (!GitFleet.validName(repo))
      throw new Error(`bad repository name ${repo}`);
    const bare = this.bare(repo);
    if (fs.existsSync(bare)) return;
    this.git(this.root, ['init', '--bare', '--quiet', '-b', 'main', bare]);
    this.git(bare, ['config', 'http.receivepack', 'true']);
    this.git(bare, ['config', 'uploadpack.allowFilter', 'true']);
    this.git(bare, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  }

  /**
   * The commit a branch points at, or undefined (no such repository or
   * branch). Read from the ref files, not by running git: the reconcile
   * loop asks every second.
   */
  head(repo: string, branch = 'main'): string | undefined {
    if (
      !this.exists(repo) ||
      !/^[\w./-]+$/.test(branch) ||
      branch.includes('..')
    )
      return undefined;
    const bare = this.bare(repo);
    const ref = `refs/heads/${branch}`;
    try {
      const loose = fs.readFileSync(path.join(bare, ref), 'utf8').trim();
      if (/^[0-9a-f]{40}$/.test(loose)) return loose;
    } catch {
      // not a loose ref: packed, or absent
    }
    try {
      const packed = fs.readFileSync(path.join(bare, 'packed-refs'), 'utf8');
      return packed
        .split('\n')
        .map(line => line.split(' '))
        .find(([sha, name]) => name === ref && /^[0-9a-f]{40}$/.test(sha))?.[0];
    } catch {
      return undefined;
    }
  }

  /** Paths of the files at a commit. */
  files(repo: string, ref: string): string[] {
    return this.git(this.bare(repo), ['ls-tree', '-r', '--name-only', ref])
      .split('\n')
      .filter(Boolean);
  }

  /** Author, date and message of a commit, or undefined. */
  commitInfo(
    repo: string,
    sha: string,
  ): { author: string; date: string; message: string } | undefined {
    if (!this.exists(repo) || !/^[0-9a-f]{7,40}$/.test(sha)) return undefined;
    let out: string;
    try {
      out = execFileSync(
        'git',
        ['show', '-s', '--format=%an <%ae>%n%aI%n%B', `${sha}^{commit}`],
        { cwd: this.bare(repo), stdio: ['ignore', 'pipe', 'ignore'] },
      ).toString();
    } catch {
      return undefined;
    }
    const [author, date, ...message] = out.split('\n');
    return {
      author,
      date: new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      message: message.join('\n').trim(),
    };
  }

  /** A file's content at a ref, or undefined. */
  read(repo: string, ref: string, file: string): Buffer | undefined {
    if (!this.exists(repo) || !/^[\w./-]+$/.test(ref)) return undefined;
    try {
      return execFileSync('git', ['show', `${ref}:${file}`], {
        cwd: this.bare(repo),
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return undefined;
    }
  }

  /** The n-th commit (1-based) of a repository's main branch, clamped to its history. */
  at(repo: string, n: number): string {
    const list = this.shas.get(repo) ?? [];
    return list[Math.min(Math.max(n, 1), list.length) - 1];
  }

  /** A new commit on main, pushed; returns its SHA. */
  commit(repo: string, message?: string): string {
    return this.addCommit(repo, message, Date.now(), true);
  }

  count(repo: string) {
    return this.shas.get(repo)?.length ?? 0;
  }

  /**
   * The commits of main after `from` up to `to` (`git rev-list --count
   * from..to` on the sandbox's linear history): 0 when `to` is `from` or an
   * older commit; undefined when either is not a commit of main.
   */
  between(repo: string, from: string, to: string): number | undefined {
    const list = this.shas.get(repo) ?? [];
    const a = list.indexOf(from);
    const b = list.indexOf(to);
    return a === -1 || b === -1 ? undefined : Math.max(0, b - a);
  }

  /** Serves `/git/<repo>.git/...` with git http-backend (smart HTTP, clone and push). */
  serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    pathInfo: string,
    query: string,
  ) {
    // like a Git host that creates a repository on first push
    const target = /^\/([^/]+)\.git\//.exec(pathInfo)?.[1];
    const pushing =
      query.includes('service=git-receive-pack') ||
      pathInfo.endsWith('/git-receive-pack');
    if (target && pushing && GitFleet.validName(target) && !this.exists(target))
      this.createEmpty(target);
    gitHttpBackend(req, res, this.root, pathInfo, query);
  }
}
