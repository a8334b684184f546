/**
 * Catalog module of the GitOps plugin suite: every GitOps application as a
 * Resource entity, with its sync, health and environment as labels and tags.
 *
 * @packageDocumentation
 */
export { catalogModuleGitops as default } from './module';
export { catalogModuleGitops } from './module';
