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
}
