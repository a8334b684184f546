import type {
  components,
  operations,
  paths,
} from './schema/openapi/generated/types';

export type {
  components as GitopsApiComponents,
  operations as GitopsApiOperations,
  paths as GitopsApiPaths,
};

/**
 * Query of `GET /fleet`, as the OpenAPI spec defines it.
 *
 * @public
 */
export type FleetQuery = NonNullable<
  operations['GetFleet']['parameters']['query']
>;

/**
 * Which applications the fleet matrix counts (the fleet list's filters):
 * the query of `GET /fleet/matrix`, as the OpenAPI spec defines it.
 *
 * @public
 */
export type FleetMatrixQuery = NonNullable<
  operations['GetFleetMatrix']['parameters']['query']
>;

/**
 * Query of `GET /entities/{kind}/{namespace}/{name}/history`.
 *
 * @public
 */
export type HistoryQuery = NonNullable<
  operations['GetEntityHistory']['parameters']['query']
>;

/**
 * An action on an application: refresh, sync, suspend or resume.
 *
 * @public
 */
export type GitopsActionName =
  operations['RunApplicationAction']['parameters']['path']['action'];

/**
 * Query of the delivery metrics endpoints: `window` (7, 30 or 90 days) and
 * `environment` (default: the last in the promotion order).
 *
 * @public
 */
export type DeliveryMetricsQuery = NonNullable<
  operations['GetFleetDeliveryMetrics']['parameters']['query']
>;

/**
 * Service × environment across the fleet, each cell aggregated over the
 * clusters that run it (`GET /fleet/matrix`).
 *
 * @public
 */
export type FleetMatrix = components['schemas']['FleetMatrix'];

/**
 * One service of the {@link FleetMatrix}.
 *
 * @public
 */
export type FleetMatrixRow = components['schemas']['FleetMatrixRow'];

/**
 * One service in one environment, over every cluster that runs it.
 *
 * @public
 */
export type FleetMatrixCell = components['schemas']['FleetMatrixCell'];

/**
 * An environment with more applications than one answer lists (a service on
 * many clusters), counted over all of them.
 *
 * @public
 */
export type EnvironmentSummary = components['schemas']['EnvironmentSummary'];

/**
 * Who did what in a time range (`GET /audit`): deployments and proposals.
 *
 * @public
 */
export type AuditExport = components['schemas']['AuditExport'];

/**
 * One record of an {@link AuditExport}.
 *
 * @public
 */
export type AuditRecord = components['schemas']['AuditRecord'];
