import { createApiRef } from '@backstage/core-plugin-api';
import {
  DeploymentHistoryPage,
  EntityDeploymentsResponse,
  FleetPage,
  GitopsEngine,
  HealthStatus,
  SyncStatus,
} from '@gitops-portal/plugin-gitops-common';

/** @public */
export interface EntityRefParts {
  kind: string;
  namespace?: string;
  name: string;
}

/** @public */
export interface HistoryOptions {
  environment?: string[];
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

/** @public */
export interface FleetOptions {
  syncStatus?: SyncStatus[];
  healthStatus?: HealthStatus[];
  environment?: string[];
  engine?: GitopsEngine[];
  owner?: string;
  text?: string;
  limit?: number;
  cursor?: string;
}

/**
 * Client of the GitOps backend.
 *
 * @public
 */
export interface GitopsApi {
  getEntityDeployments(
    entity: EntityRefParts,
  ): Promise<EntityDeploymentsResponse>;
  getEntityHistory(
    entity: EntityRefParts,
    options?: HistoryOptions,
  ): Promise<DeploymentHistoryPage>;
  getFleet(options?: FleetOptions): Promise<FleetPage>;
  runAction(request: {
    entity?: EntityRefParts;
    applicationId: string;
    action: 'refresh' | 'sync' | 'suspend' | 'resume';
  }): Promise<void>;
}

/** @public */
export const gitopsApiRef = createApiRef<GitopsApi>({
  id: 'plugin.gitops.api',
});
