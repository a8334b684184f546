import type {
  ApplicationSetStatus,
  ControllerStatus,
  DeploymentHistoryPage,
  EntityDeploymentsResponse,
  FleetPage,
} from '../types';
import type {
  ChangeProposal,
  EntityChangesResponse,
  ProposeChangeRequest,
} from '../promotion';
import type { DeliveryMetrics, TeamDeliveryMetrics } from '../deliveryPerformance';
import type {
  DeliveryMetricsQuery,
  FleetMatrix,
  FleetMatrixQuery,
  FleetQuery,
  GitopsActionName,
  HistoryQuery,
} from '../api';

export type { FleetMatrixQuery } from '../api';

/** @public */
export interface EntityRefParts {
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * Options of a history page: the query of the OpenAPI spec.
 *
 * @public
 */
export type HistoryOptions = HistoryQuery;

/**
 * Options of a fleet page: the query of the OpenAPI spec.
 *
 * @public
 */
export type FleetOptions = FleetQuery;

/**
 * Client of the GitOps backend: what the frontend plugin, the catalog module
 * and the search and Tech Insights modules read it through.
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
  /** Service × environment over the whole fleet, each cell aggregated over its clusters. */
  getFleetMatrix(options?: FleetMatrixQuery): Promise<FleetMatrix>;
  /** Delivery performance (DORA) of an entity, a group or system, or the fleet. */
  getDeliveryMetrics(
    scope: { entity: EntityRefParts } | { fleet: true },
    options?: DeliveryMetricsQuery,
  ): Promise<DeliveryMetrics>;
  /** Delivery performance of an entity in each of these environments, in one call. */
  getEntityDeliveryMetricsByEnvironment(
    entity: EntityRefParts,
    options: {
      window?: DeliveryMetricsQuery['window'];
      environments: string[];
    },
  ): Promise<DeliveryMetrics[]>;
  /** Every team owning services with applications, with its delivery performance. */
  getTeamDeliveryMetrics(
    options?: DeliveryMetricsQuery,
  ): Promise<TeamDeliveryMetrics[]>;
  /** Read status of every Argo CD instance and Flux cluster. */
  getControllers(): Promise<ControllerStatus[]>;
  /** Every Argo CD ApplicationSet with its conditions and progressive-sync steps. */
  getApplicationSets(): Promise<ApplicationSetStatus[]>;
  /** Who did what in a time range, as CSV (needs gitops.audit.read). */
  getAuditCsv(range: { from: string; to: string }): Promise<string>;
  /** Which environments can be promoted or rolled back, and the entity's proposals. */
  getEntityChanges(entity: EntityRefParts): Promise<EntityChangesResponse>;
  /** Proposes (or with dryRun previews) a promotion or rollback as a change to Git. */
  proposeChange(
    entity: EntityRefParts,
    request: ProposeChangeRequest,
  ): Promise<ChangeProposal>;
  runAction(request: {
    entity?: EntityRefParts;
    applicationId: string;
    action: GitopsActionName;
  }): Promise<void>;
}
