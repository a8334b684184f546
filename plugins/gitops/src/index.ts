/**
 * GitOps frontend plugin: Deployments tab, overview card and fleet page.
 *
 * @packageDocumentation
 */
export {
  gitopsPlugin,
  EntityGitOpsContent,
  EntityGitOpsCard,
  EntityDeliveryPerformanceCard,
  GitOpsPage,
} from './plugin';
export * from './api';
export { isGitopsAvailable as isGitOpsAvailable } from '@gitops-portal/plugin-gitops-common';
export { HealthChip, SyncChip } from './components/StatusChips';
export {
  GitopsSearchResultListItem,
  type GitopsSearchResultListItemProps,
} from './components/GitopsSearchResultListItem';
