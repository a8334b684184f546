/**
 * Tech Insights module of the GitOps plugin suite: per-entity facts for
 * scorecards (production deployments, delivery performance bands, time out
 * of sync, age of the running revision).
 *
 * @packageDocumentation
 */
export { techInsightsModuleGitopsFactRetriever as default } from './module';
export { techInsightsModuleGitopsFactRetriever } from './module';
export { gitopsFactRetriever } from './gitopsFactRetriever';
