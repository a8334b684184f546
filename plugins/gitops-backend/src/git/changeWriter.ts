import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { ChangeMode } from '@gitops-portal/plugin-gitops-common';
import {
  GitAuth,
  GitChangeResult,
  GitWorkTree,
  NothingToChangeError,
  openGithubPullRequest,
  proposeGitChange,
  RepoRef,
} from '@gitops-portal/plugin-gitops-node';
import { PromotionSettings } from '../config';

/** A change to write to a repository, as a proposal or a commit. */
export interface RepositoryChange {
  repo: RepoRef;
  baseBranch: string;
  /** The branch to push (not for a direct commit). */
  branch: string;
  /** Compute the commit and its diff; push nothing. */
  dryRun?: boolean;
  edit(tree: GitWorkTree): Promise<void>;
  /** The commit message, asked after the edit. */
  message(): string;
  /** The pull request's title and body, asked once the branch is pushed. */
  pullRequest(): { title: string; body: string };
  /** What to answer (409) when the edit changes nothing. */
  nothingToChange(): string;
}

/**
 * Where the backend writes to Git repositories (promotion and rollback
 * proposals): clones the base branch with the integration's credentials,
 * lets the caller edit it, pushes a branch and opens a pull request on
 * GitHub, pushes a branch to review elsewhere, or commits directly when the
 * configuration says so. Which repositories it may write to is decided
 * before (promotion/repositories.ts).
 */
export class ChangeWriter {
  constructor(
    private readonly options: {
      integrations: ScmIntegrationRegistry;
      github: GithubCredentialsProvider;
      auth: GitAuth;
      settings: Pick<PromotionSettings, 'mode' | 'author' | 'maxFileBytes'>;
    },
  ) {}

  /** Pull requests where the host is GitHub, a branch to review elsewhere. */
  private modeFor(repo: RepoRef): ChangeMode {
    const github =
      repo.type === 'github' &&
      Boolean(this.options.integrations.github.byHost(repo.host));
    const { mode } = this.options.settings;
    if (mode === 'pull-request' && !github) return 'branch';
    if (mode) return mode;
    return github ? 'pull-request' : 'branch';
  }

  /**
   * Writes the change; a refusal of the repository's content stays a 4xx,
   * a host that cannot be reached is a 503.
   */
  async write(
    change: RepositoryChange,
  ): Promise<{ mode: ChangeMode; result: GitChangeResult }> {
    const { repo } = change;
    const mode = this.modeFor(repo);
    try {
      const result = await proposeGitChange({
        repo,
        auth: await this.options.auth(repo),
        baseBranch: change.baseBranch,
        branch: change.branch,
        mode,
        author: this.options.settings.author,
        dryRun: change.dryRun,
        maxFileBytes: this.options.settings.maxFileBytes,
        edit: change.edit,
        message: change.message,
        openPullRequest: head => this.openPullRequest(change, head),
      });
      return { mode, result };
    } catch (error) {
      if (error instanceof NothingToChangeError)
        throw new ConflictError(change.nothingToChange());
      if (error instanceof InputError || error instanceof NotFoundError)
        throw error;
      if ((error as Error).name === 'InputError') throw error;
      // refusals of the repository's content (413 for a file too large)
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500)
        throw error;
      throw new ServiceUnavailableError(
        `Could not propose the change to ${repo.webUrl}: ${
          (error as Error).message
        }`,
      );
    }
  }

  private async openPullRequest(change: RepositoryChange, head: string) {
    const { repo } = change;
    const { token } = await this.options.github.getCredentials({
      url: repo.webUrl,
    });
    return openGithubPullRequest({
      repo,
      token,
      apiBaseUrl: this.options.integrations.github.byHost(repo.host)?.config
        .apiBaseUrl,
      head,
      base: change.baseBranch,
      ...change.pullRequest(),
    });
  }
}
