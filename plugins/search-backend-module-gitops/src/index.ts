/**
 * Search module of the GitOps plugin suite: GitOps applications (service,
 * environment, cluster, revision, status) in Backstage search.
 *
 * @packageDocumentation
 */
export { searchModuleGitopsCollator as default } from './module';
export { searchModuleGitopsCollator } from './module';
export { GitopsCollatorFactory } from './GitopsCollatorFactory';
export type { GitopsApplicationDocument } from './GitopsCollatorFactory';
