/**
 * Node helpers shared by the GitOps backend and its modules.
 *
 * @packageDocumentation
 */
export {
  resolveRepo,
  normaliseRepoUrl,
  commitUrl,
  branchUrl,
  compareUrl,
  fileUrl,
} from './repoUrl';
export type { RepoRef, ScmType } from './repoUrl';
export { gitAuthFromIntegrations } from './gitAuth';
export type { GitAuth } from './gitAuth';
export {
  runGit,
  proposeGitChange,
  openGithubPullRequest,
  NothingToChangeError,
} from './gitChange';
export type {
  GitChangeOptions,
  GitChangeResult,
  GitWorkTree,
} from './gitChange';
export {
  SafeWorkTree,
  UnsafeRepositoryFileError,
  RepositoryFileTooLargeError,
  repositoryPath,
  DEFAULT_MAX_FILE_BYTES,
} from './workTree';
export { createGitopsServiceClient } from './serviceClient';
