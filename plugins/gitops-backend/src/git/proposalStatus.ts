import {
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import {
  ChangeProposal,
  ProposalReview,
} from '@gitops-portal/plugin-gitops-common';
import {
  GitAuth,
  RepoRef,
  resolveRepo,
  runGit,
} from '@gitops-portal/plugin-gitops-node';
import { Octokit } from '@octokit/rest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RepositoryPolicy } from '../promotion/repositories';

/**
 * A GitHub pull request's reviews (each reviewer's latest approving or
 * change-requesting one) and the check runs of the proposal's commit.
 */
async function reviewOf(
  octokit: Octokit,
  repo: RepoRef,
  p: ChangeProposal,
): Promise<ProposalReview> {
  const [owner, name] = repo.path;
  const { data: reviews } = await octokit.pulls.listReviews({
    owner,
    repo: name,
    pull_number: p.pullRequestNumber!,
    per_page: 100,
  });
  const latest = new Map<string, string>();
  for (const r of reviews) {
    const who = r.user?.login;
    // comments do not change where a reviewer stands
    if (who && (r.state === 'APPROVED' || r.state === 'CHANGES_REQUESTED'))
      latest.set(who, r.state);
    if (who && r.state === 'DISMISSED') latest.delete(who);
  }
  const by = (state: string) =>
    [...latest].filter(([, s]) => s === state).map(([who]) => who);
  let checks: ProposalReview['checks'];
  try {
    const { data } = await octokit.checks.listForRef({
      owner,
      repo: name,
      ref: p.commitSha!,
      per_page: 100,
    });
    checks = { passed: 0, failed: 0, pending: 0 };
    for (const run of data.check_runs) {
      if (run.status !== 'completed') checks.pending += 1;
      else if (['success', 'neutral', 'skipped'].includes(run.conclusion ?? ''))
        checks.passed += 1;
      else checks.failed += 1;
    }
  } catch {
    checks = undefined; // a token without checks:read: reviews only
  }
  return {
    approvedBy: by('APPROVED').slice(0, 100),
    changesRequestedBy: by('CHANGES_REQUESTED').slice(0, 100),
    ...(checks ? { checks } : {}),
    readAt: new Date().toISOString(),
  };
}

/**
 * Follows proposals where they live: a GitHub pull request through the
 * API, a branch of a plain Git server by whether its commit reached the
 * base branch.
 */
export class ProposalStatusReader {
  constructor(
    private readonly options: {
      /** Which repositories may be read: the one the proposals were made under. */
      repositories: RepositoryPolicy;
      integrations: ScmIntegrationRegistry;
      github: GithubCredentialsProvider;
      auth: GitAuth;
      /** Where repositories are fetched to follow proposals. */
      cacheDir?: string;
    },
  ) {}

  /** Whether a proposal's commit reached its base branch; the commit that brought it. */
  private async mergedOnPlainGit(
    p: ChangeProposal,
    repo: RepoRef,
  ): Promise<{ mergedSha?: string; closed?: boolean }> {
    const dir = path.join(
      this.options.cacheDir ?? path.join(os.tmpdir(), 'gitops-proposals'),
      Buffer.from(repo.webUrl).toString('base64url').slice(0, 120),
    );
    const auth = await this.options.auth(repo);
    await fs.mkdir(dir, { recursive: true });
    await runGit(dir, ['init', '--quiet', '--bare']);
    const heads = await runGit(
      dir,
      ['ls-remote', '--heads', repo.cloneUrl, p.baseBranch, p.branch],
      { auth },
    );
    await runGit(
      dir,
      [
        'fetch',
        '--quiet',
        '--filter=blob:none',
        repo.cloneUrl,
        `+refs/heads/${p.baseBranch}:refs/heads/base`,
      ],
      { auth },
    );
    try {
      await runGit(dir, ['merge-base', '--is-ancestor', p.commitSha!, 'base']);
    } catch {
      // not on the base branch (or unknown here): open while its branch lives
      const branchLives = heads
        .split('\n')
        .some(l => l.endsWith(`refs/heads/${p.branch}`));
      return { closed: !branchLives };
    }
    const after = (
      await runGit(dir, [
        'rev-list',
        '--ancestry-path',
        '--reverse',
        `${p.commitSha}..base`,
      ])
    )
      .split('\n')
      .filter(Boolean);
    // a merge commit brought it, or it was fast-forwarded
    return { mergedSha: after[0] ?? p.commitSha };
  }

  /**
   * A proposal as its host tells it now: merged (with the commit that
   * brought it to the base branch), closed, or open with its reviews and
   * checks (GitHub).
   */
  async read(p: ChangeProposal): Promise<ChangeProposal> {
    // a repository dropped from the configuration is no longer read
    this.options.repositories.check(p.repoUrl, `Following proposal ${p.id}`);
    const repo = resolveRepo(p.repoUrl, this.options.integrations);
    if (!repo || !p.commitSha) return p;
    if (p.pullRequestNumber && repo.type === 'github') {
      const { token } = await this.options.github.getCredentials({
        url: repo.webUrl,
      });
      const octokit = new Octokit({
        auth: token,
        baseUrl:
          this.options.integrations.github.byHost(repo.host)?.config
            .apiBaseUrl ?? 'https://api.github.com',
      });
      const { data } = await octokit.pulls.get({
        owner: repo.path[0],
        repo: repo.path[1],
        pull_number: p.pullRequestNumber,
      });
      if (data.merged && data.merge_commit_sha)
        return {
          ...p,
          status: 'merged',
          mergedSha: data.merge_commit_sha,
          mergedAt: data.merged_at ?? new Date().toISOString(),
        };
      if (data.state === 'closed') return { ...p, status: 'closed' };
      // open: its reviews and checks, stored when they change
      const review = await reviewOf(octokit, repo, p);
      const same = (r?: ProposalReview) =>
        JSON.stringify({ ...r, readAt: undefined });
      return same(review) === same(p.review) ? p : { ...p, review };
    }
    const merged = await this.mergedOnPlainGit(p, repo);
    if (merged.mergedSha)
      return {
        ...p,
        status: 'merged',
        mergedSha: merged.mergedSha,
        mergedAt: new Date().toISOString(),
      };
    return merged.closed ? { ...p, status: 'closed' } : p;
  }
}
