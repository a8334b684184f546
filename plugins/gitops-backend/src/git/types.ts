import {
  CommitInfo,
  PendingCommits,
} from '@gitops-portal/plugin-gitops-common';
import { RepoRef } from '@gitops-portal/plugin-gitops-node';

/** Reads commits of one kind of host (GitHub API, or plain Git for any host). */
export interface GitHostClient {
  getCommit(repo: RepoRef, sha: string): Promise<CommitInfo>;
  /** Commits on `branch` after `sha`, newest first, at most `limit` listed. */
  getPending(
    repo: RepoRef,
    sha: string,
    branch: string,
    limit: number,
  ): Promise<PendingCommits>;
  /** How many commits `to` has that `from` does not. */
  countBetween(repo: RepoRef, from: string, to: string): Promise<number>;
  /**
   * The commits `to` has that `from` does not (all of `to`'s history when
   * `from` is undefined, so just `to` itself), newest first, at most
   * `limit` listed, and the commit `to` itself.
   */
  getRange(
    repo: RepoRef,
    from: string | undefined,
    to: string,
    limit: number,
  ): Promise<CommitRange>;
}

/** The commits one deployment brought. */
export interface CommitRange {
  /** The deployed commit. */
  to: CommitInfo;
  /** Commits in from..to; 0 for a redeploy of the same commit or a rollback. */
  count: number;
  /** The commits of the range, newest first, at most the limit asked. */
  commits: CommitInfo[];
}
