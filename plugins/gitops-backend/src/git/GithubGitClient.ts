import {
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  CommitInfo,
  PendingCommits,
} from '@gitops-portal/plugin-gitops-common';
import { Octokit } from '@octokit/rest';
import {
  commitUrl,
  compareUrl,
  RepoRef,
} from '@gitops-portal/plugin-gitops-node';
import { CommitRange, GitHostClient } from './types';

type ApiCommit = {
  sha: string;
  html_url?: string;
  commit: {
    message: string;
    author?: { name?: string; email?: string; date?: string } | null;
    committer?: { name?: string; email?: string; date?: string } | null;
  };
};

function toCommit(c: ApiCommit, repo: RepoRef): CommitInfo {
  return {
    sha: c.sha,
    message: c.commit.message.trim(),
    authorName: c.commit.author?.name ?? 'unknown',
    authorEmail: c.commit.author?.email ?? undefined,
    committedAt: new Date(
      c.commit.committer?.date ?? c.commit.author?.date ?? 0,
    ).toISOString(),
    url: c.html_url ?? commitUrl(repo, c.sha),
  };
}

/**
 * Reads commits of GitHub and GitHub Enterprise repositories through the
 * REST API, with the credentials and API base URL of Backstage's
 * `integrations.github` config (token or GitHub App). Stops calling a host
 * whose rate limit is exhausted until it resets.
 */
export class GithubGitClient implements GitHostClient {
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly options: {
      integrations: ScmIntegrationRegistry;
      credentials: GithubCredentialsProvider;
    },
  ) {}

  private async octokit(repo: RepoRef) {
    const until = this.blockedUntil.get(repo.host);
    if (until && until > Date.now()) {
      throw new Error(
        `GitHub rate limit of ${repo.host} exhausted until ${new Date(
          until,
        ).toISOString()}`,
      );
    }
    const integration = this.options.integrations.github.byHost(repo.host);
    const { token } = await this.options.credentials.getCredentials({
      url: repo.webUrl,
    });
    return new Octokit({
      auth: token,
      baseUrl: integration?.config.apiBaseUrl ?? 'https://api.github.com',
      request: { retries: 0 },
    });
  }

  private async call<T>(
    repo: RepoRef,
    fn: (octokit: Octokit) => Promise<T>,
  ): Promise<T> {
    const octokit = await this.octokit(repo);
    try {
      return await fn(octokit);
    } catch (error) {
      const e = error as {
        status?: number;
        message?: string;
        response?: { headers?: Record<string, string> };
      };
      const headers = e.response?.headers ?? {};
      if (
        (e.status === 403 || e.status === 429) &&
        (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'])
      ) {
        const reset = headers['x-ratelimit-reset']
          ? Number(headers['x-ratelimit-reset']) * 1000
          : Date.now() + Number(headers['retry-after'] ?? 60) * 1000;
        this.blockedUntil.set(repo.host, reset);
        throw new Error(
          `GitHub rate limit of ${repo.host} exhausted until ${new Date(
            reset,
          ).toISOString()}`,
        );
      }
      if (e.status === 401)
        throw new Error(
          `GitHub rejected the credentials for ${repo.webUrl} (401)`,
        );
      if (e.status === 404)
        throw new Error(
          `GitHub has no ${repo.webUrl} or the credentials cannot see it (404)`,
        );
      throw new Error(
        `GitHub API error for ${repo.webUrl}: ${e.status ?? ''} ${
          e.message ?? error
        }`.trim(),
      );
    }
  }

  private ownerRepo(repo: RepoRef) {
    return { owner: repo.path[0], repo: repo.path[1] };
  }

  async getCommit(repo: RepoRef, sha: string): Promise<CommitInfo> {
    return this.call(repo, async octokit => {
      const { data } = await octokit.repos.getCommit({
        ...this.ownerRepo(repo),
        ref: sha,
      });
      return toCommit(data as ApiCommit, repo);
    });
  }

  async getPending(
    repo: RepoRef,
    sha: string,
    branch: string,
    limit: number,
  ): Promise<PendingCommits> {
    return this.call(repo, async octokit => {
      const { data } = await octokit.repos.compareCommitsWithBasehead({
        ...this.ownerRepo(repo),
        basehead: `${sha}...${branch}`,
        per_page: 100,
      });
      const head = (data.commits as ApiCommit[]).at(-1)?.sha ?? sha;
      const base = {
        branch,
        headSha: head,
        compareUrl: compareUrl(repo, sha, head),
      };
      if (data.status === 'diverged' || data.status === 'behind') {
        return { ...base, status: 'diverged', count: 0, commits: [] };
      }
      if (data.status === 'identical') {
        return {
          ...base,
          headSha: sha,
          status: 'up-to-date',
          count: 0,
          commits: [],
        };
      }
      return {
        ...base,
        status: 'ahead',
        count: data.ahead_by,
        commits: (data.commits as ApiCommit[])
          .slice()
          .reverse()
          .slice(0, limit)
          .map(c => toCommit(c, repo)),
      };
    });
  }

  async countBetween(repo: RepoRef, from: string, to: string): Promise<number> {
    return this.call(repo, async octokit => {
      const { data } = await octokit.repos.compareCommitsWithBasehead({
        ...this.ownerRepo(repo),
        basehead: `${from}...${to}`,
        per_page: 1,
      });
      return data.ahead_by;
    });
  }

  async getRange(
    repo: RepoRef,
    from: string | undefined,
    to: string,
    limit: number,
  ): Promise<CommitRange> {
    if (!from) {
      const commit = await this.getCommit(repo, to);
      return { to: commit, count: 1, commits: [commit] };
    }
    return this.call(repo, async octokit => {
      // one request per deployment: the comparison lists the commits (oldest
      // first) and, as merge_base_commit when behind, the deployed commit
      const { data } = await octokit.repos.compareCommitsWithBasehead({
        ...this.ownerRepo(repo),
        basehead: `${from}...${to}`,
        per_page: Math.min(limit, 250),
      });
      const listed = (data.commits as ApiCommit[])
        .slice()
        .reverse()
        .map(c => toCommit(c, repo));
      const ahead = data.status === 'ahead' || data.status === 'diverged';
      const count = ahead ? data.ahead_by : 0;
      let head: CommitInfo | undefined = listed.find(c => c.sha === to);
      if (!head) {
        const { data: commit } = await octokit.repos.getCommit({
          ...this.ownerRepo(repo),
          ref: to,
        });
        head = toCommit(commit as ApiCommit, repo);
      }
      return { to: head, count, commits: ahead ? listed.slice(0, limit) : [] };
    });
  }
}
