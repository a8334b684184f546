import {
  DeploymentFact,
  GitopsApplication,
  GitopsDeployment,
  GitopsEngine,
  HealthStatus,
  LabelRequirement,
  SyncStatus,
} from '@gitops-portal/plugin-gitops-common';

export type { NewDeployment, StoredEvent } from '../model/deployments';
import type { NewDeployment, StoredEvent } from '../model/deployments';

/** Which metrics a snapshot holds. */
export interface MetricsSnapshotKey {
  scope: 'fleet' | 'teams';
  environment: string;
  windowDays: number;
}

/** Which deployments the delivery metrics read. */
export interface DeploymentFactsFilter {
  /** Undefined: every application (the fleet). */
  applicationIds?: string[];
  environment: string;
  /** Finished at or after (ISO 8601). */
  from: string;
  /** Finished before (ISO 8601). */
  to: string;
  /** As `FleetFilter.readable`: only the deployments of what the reader may see. */
  readable?: string[];
}

/** How to find the applications of one catalog entity. */
export interface ApplicationQuery {
  engine?: GitopsEngine;
  kind?: string;
  names?: string[];
  /** Label requirements, all of which must hold (Kubernetes semantics). */
  labels?: LabelRequirement[];
  instance?: string;
  namespace?: string;
  project?: string;
}

/** Which applications of the fleet: the page's filters without its paging. */
export type FleetSelection = Omit<FleetFilter, 'limit' | 'after'>;

export interface FleetFilter {
  syncStatus?: SyncStatus[];
  healthStatus?: HealthStatus[];
  environment?: string[];
  engine?: GitopsEngine[];
  /** Restrict to these application ids (used for the owner filter). */
  ids?: string[];
  text?: string;
  /** Applications of this service (see `applicationService`). */
  service?: string;
  /**
   * Only the applications no entity claims and those claimed by one of these
   * entities (what the reader may read); none: every application.
   */
  readable?: string[];
  limit: number;
  /** Where the previous page ended: its last application's sort key. */
  after?: FleetPosition;
}

/** How many applications of a service in an environment run a revision with a status. */
export interface FleetMatrixGroup {
  service: string;
  environment: string;
  revision?: string;
  healthStatus: HealthStatus;
  syncStatus: SyncStatus;
  count: number;
}

/**
 * What summaries need of an application, read from its columns without its
 * stored state: an edge service's 1,000 applications are counted from these.
 */
export interface ApplicationHead {
  id: string;
  engine: GitopsEngine;
  instance: string;
  namespace: string;
  name: string;
  environment: string;
  /** The first source's deployed revision. */
  revision?: string;
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  /** Higher is worse (see `severityOf`). */
  severity: number;
  applicationSet?: string;
}

/** An application's place in the fleet order: worst first, then by name and id. */
export interface FleetPosition {
  severity: number;
  name: string;
  id: string;
}

export interface HistoryFilter {
  applicationIds: string[];
  environment?: string[];
  from?: string;
  to?: string;
  limit: number;
  cursor?: { finishedAt: string; id: string };
}

/** What a successful read of one instance wrote. */
export interface InstanceSyncResult {
  written: number;
  removed: number;
}

/**
 * Storage of current GitOps state and deployment history.
 */
export interface GitopsStore {
  /**
   * Replaces the state of one instance with what was just read from it:
   * writes only applications whose state changed, removes applications that
   * are gone (their history stays).
   */
  syncInstance(options: {
    engine: GitopsEngine;
    instance: string;
    applications: GitopsApplication[];
  }): Promise<InstanceSyncResult>;
  /** Writes the given applications if they changed; touches nothing else. */
  upsertApplications(applications: GitopsApplication[]): Promise<number>;
  /** Marks every application of an instance stale, keeping its last good state. */
  markInstanceStale(options: {
    engine: GitopsEngine;
    instance: string;
  }): Promise<number>;
  /**
   * Inserts deployments, each recorded once: the same deployment read
   * another way (an event, a change seen between polls, the controller's
   * history) updates the stored row instead. Returns how many were new.
   */
  addDeployments(deployments: NewDeployment[]): Promise<number>;
  /**
   * Applies push events in one transaction: each reads the application's
   * current state (as left by the events before it) and returns its new
   * state and, optionally, the deployment it reports (stored once, by its
   * dedupe key). Labels stay as the last poll stored them. Returns, per
   * event, whether its application was known.
   */
  applyEvents(events: StoredEvent[]): Promise<boolean[]>;
  /**
   * Classifies again every deployment of these applications (after a
   * proposal was linked to one of them).
   */
  classifyApplications(applicationIds: string[]): Promise<void>;
  /**
   * Deployments the owners have not been told about that finished since
   * `since` and went wrong: failed, or the latest of an application that is
   * Degraded now; of applications some catalog entity claims. Each is
   * returned once across replicas (claimed as told).
   */
  claimDeploymentsToNotify(options: {
    since: string;
    limit?: number;
  }): Promise<GitopsDeployment[]>;
  getApplication(id: string): Promise<GitopsApplication | undefined>;
  /** Every application, for background work such as Git refreshes. */
  listAllApplications(): Promise<GitopsApplication[]>;
  getApplications(ids: string[]): Promise<GitopsApplication[]>;
  findApplications(queries: ApplicationQuery[]): Promise<GitopsApplication[]>;
  /** As `findApplications`, without their stored state. */
  findApplicationHeads(queries: ApplicationQuery[]): Promise<ApplicationHead[]>;
  listFleet(filter: FleetFilter): Promise<{
    items: GitopsApplication[];
    totalCount: number;
    /** The position of the last item, when more may follow. */
    last?: FleetPosition;
  }>;
  listDeployments(filter: HistoryFilter): Promise<GitopsDeployment[]>;
  /** One deployment by id (ids of other forms are not found). */
  getDeployment(id: string): Promise<GitopsDeployment | undefined>;
  /** Applications counted by service, environment, revision, health and sync. */
  fleetMatrix(filter: FleetSelection): Promise<FleetMatrixGroup[]>;
  /** A stored snapshot of metrics: its JSON and when it was computed. */
  getMetricsSnapshot(
    key: MetricsSnapshotKey,
  ): Promise<{ data: string; computedAt: string } | undefined>;
  putMetricsSnapshot(
    key: MetricsSnapshotKey,
    data: string,
    computedAt: string,
  ): Promise<void>;
  /** Applications Degraded or OutOfSync now: what incidents are made of. */
  listUnsettledApplications(): Promise<GitopsApplication[]>;
  /** Applications whose health is Degraded now, of these (or of all). */
  listDegradedApplicationIds(
    ids?: string[],
    /** As `FleetFilter.readable`. */
    readable?: string[],
  ): Promise<string[]>;
  /**
   * The applications ApplicationSets generated, by instance, namespace and
   * set; with `readable`, only those the reader may see.
   */
  listApplicationSetMembers(filter: { readable?: string[] }): Promise<
    Array<{
      instance: string;
      namespace: string;
      applicationSet: string;
      name: string;
    }>
  >;
  /** Deployments with what Git told about them, for the delivery metrics. */
  listDeploymentFacts(filter: DeploymentFactsFilter): Promise<DeploymentFact[]>;
}
