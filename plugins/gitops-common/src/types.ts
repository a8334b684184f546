import { DeploymentKind } from './classify';
import type { EnvironmentSummary } from './api';
import type { components } from './schema/openapi/generated/types';

/**
 * The GitOps engine that manages an application.
 *
 * @public
 */
export type GitopsEngine = components['schemas']['Engine'];

/**
 * Whether the live state matches the desired state in Git.
 *
 * @public
 */
export type SyncStatus = components['schemas']['SyncStatus'];

/**
 * Health of the deployed resources, shared by Argo CD and Flux.
 *
 * @public
 */
export type HealthStatus = components['schemas']['HealthStatus'];

/**
 * Outcome of a deployment (a sync or reconciliation).
 *
 * @public
 */
export type DeploymentResult = components['schemas']['Deployment']['result'];

/**
 * The pull request an application previews, and where it is served.
 *
 * @public
 */
export type ApplicationPreview = components['schemas']['ApplicationPreview'];

/**
 * One source of an application: a Git repository path or a Helm chart.
 *
 * @public
 */
export interface ApplicationSource {
  repoUrl: string;
  path?: string;
  /** Set when the source is a Helm chart; the revision is then a chart version. */
  chart?: string;
  /** Branch, tag, commit or chart version range the controller follows. */
  targetRevision?: string;
}

/**
 * Where an application deploys to.
 *
 * @public
 */
export interface ApplicationDestination {
  server?: string;
  name?: string;
  namespace?: string;
}

/**
 * Where a hydrated application's dry commit was rendered to.
 *
 * @public
 */
export interface ApplicationHydration {
  /** The branch the hydrated manifests are pushed to. */
  targetBranch?: string;
  /** The hydrated commit of the last successful hydration. */
  hydratedRevision?: string;
  /** Phase of the current hydration (Hydrating, Failed, Hydrated). */
  phase?: string;
  /** Why the current hydration failed. */
  message?: string;
}

/**
 * How the controller keeps an application in sync: Argo CD's
 * `spec.syncPolicy`, Flux's `spec.interval`, `spec.prune` and `spec.suspend`.
 *
 * @public
 */
export interface ApplicationSyncPolicy {
  /** Syncs on its own when its source changes (Argo CD automated; Flux always, unless suspended). */
  automated: boolean;
  /** Reverts changes made in the cluster (Argo CD `automated.selfHeal`; Flux always). */
  selfHeal: boolean;
  /** Deletes resources no longer in the source. */
  prune: boolean;
  /** How often the controller reconciles (Flux `spec.interval`). */
  interval?: string;
}

/**
 * An Argo CD ApplicationSet: its own conditions and, with a progressive
 * sync (`strategy.type: RollingSync`), the step of each generated
 * application.
 *
 * @public
 */
export interface ApplicationSetStatus {
  /** Argo CD instance, as configured. */
  instance: string;
  namespace: string;
  name: string;
  /** `RollingSync` for a progressive sync; absent for all at once. */
  strategy?: string;
  /** Steps of the rolling sync. */
  steps?: number;
  conditions: Array<{
    type: string;
    status: string;
    reason?: string;
    message?: string;
    lastTransitionTime?: string;
  }>;
  /** Progressive sync: where each generated application is. */
  applications: Array<{
    application: string;
    status?: string;
    step?: number;
    message?: string;
    lastTransitionTime?: string;
  }>;
  /** When the backend last read it. */
  readAt: string;
}

/**
 * An Argo Rollouts `Rollout` an application manages: its strategy and how far
 * the new version has got.
 *
 * @public
 */
export interface ApplicationRollout {
  name: string;
  namespace?: string;
  strategy: 'canary' | 'blueGreen';
  /** `status.phase`: Healthy, Progressing, Paused or Degraded. */
  phase?: string;
  message?: string;
  /** Canary: steps done (`status.currentStepIndex`) of `steps`. */
  step?: number;
  steps?: number;
  /** Canary: percent of traffic (or replicas) on the new version. */
  weight?: number;
  /** Paused by a pause step, by hand, or by the controller. */
  paused: boolean;
  /** Aborted: traffic went back to the stable version. */
  aborted: boolean;
  /** Blue-green: pod template hashes behind the active and preview services. */
  activeSelector?: string;
  previewSelector?: string;
  /** Pod template hashes of the stable and of the new version. */
  stableHash?: string;
  currentHash?: string;
}

/**
 * A resource an application manages, with its sync and health.
 *
 * @public
 */
export interface ApplicationResource {
  group?: string;
  kind: string;
  namespace?: string;
  name: string;
  syncStatus?: SyncStatus;
  healthStatus?: HealthStatus;
  message?: string;
}

/**
 * The current state of one GitOps application (Argo CD Application, Flux Kustomization or HelmRelease).
 *
 * @public
 */
export interface GitopsApplication {
  /** Stable id: `<engine>:<instance>:<namespace>:<name>`. */
  id: string;
  engine: GitopsEngine;
  /** Argo CD instance or Kubernetes cluster name, as configured. */
  instance: string;
  namespace: string;
  name: string;
  /** Flux kind (Kustomization, HelmRelease) or `Application` for Argo CD. */
  kind: string;
  project?: string;
  destination: ApplicationDestination;
  environment: string;
  sources: ApplicationSource[];
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  operationPhase?: string;
  message?: string;
  /** Deployed revision of each source, in the order of `sources`. */
  revisions: string[];
  /** Revision the controller last attempted, when it differs from the deployed one. */
  attemptedRevisions?: string[];
  lastSyncedAt?: string;
  labels: Record<string, string>;
  /** Link to the application in the controller's UI, if one is known. */
  controllerUrl?: string;
  /** Generated by this ApplicationSet, if any. */
  applicationSet?: string;
  /** The preview of an open pull request (environment `preview`); see `previewOf`. */
  preview?: ApplicationPreview;
  /**
   * Argo CD source hydration: `sources` and `revisions` are the dry source
   * and its commit; this is what it was rendered into.
   */
  hydration?: ApplicationHydration;
  /** How the controller keeps it in sync, when it says. */
  syncPolicy?: ApplicationSyncPolicy;
  /** When it turned OutOfSync, while it is (kept by the backend across reads). */
  outOfSyncSince?: string;
  /**
   * Why it is OutOfSync, when the controller tells: `drift`, the live state
   * differs from the revision it deployed; `revision`, Git has a revision it
   * has not deployed.
   */
  outOfSyncCause?: 'drift' | 'revision';
  /** In fleet listings: the readable catalog entity that claims the application. */
  entityRef?: string;
  /** Container images the application runs, when the controller reports them. */
  images?: string[];
  /** How many resources the controller manages for the application. */
  resourceCount?: number;
  /** The managed resources that are out of sync or not healthy (at most 50). */
  resources?: ApplicationResource[];
  /** Argo Rollouts the application manages, while one is rolling out. */
  rollouts?: ApplicationRollout[];
  /** True when the last read of the instance failed; state is from `lastReadAt`. */
  stale: boolean;
  /** Time of the last successful read of this application from its controller. */
  lastReadAt: string;
}

/**
 * A deployment seen for an application: an entry of the controller's history
 * or a transition observed by the backend.
 *
 * @public
 */
export interface GitopsDeployment {
  id: string;
  applicationId: string;
  environment: string;
  revisions: string[];
  startedAt?: string;
  finishedAt: string;
  result: DeploymentResult;
  initiatedBy?: string;
  /** Where the entry came from. */
  origin: 'controller-history' | 'observed' | 'event';
  message?: string;
  /** What the deployment was, from the application's stored history; none while it runs. */
  kind?: DeploymentKind;
  /** The commit of the first Git revision, when the backend has read it. */
  commit?: CommitInfo;
  /** The commits this deployment brought, when the backend has read them. */
  changes?: DeploymentChanges;
  /** The promotion or rollback proposed in the portal that this deployment ran. */
  proposal?: DeploymentProposal;
}

/**
 * The proposal a deployment carried out.
 *
 * @public
 */
export interface DeploymentProposal {
  id: string;
  action: 'promote' | 'rollback';
  createdBy?: string;
  /** Pull request, compare view, branch or commit page; none on a plain Git server. */
  url?: string;
  /** The branch the change was proposed on. */
  branch?: string;
  pullRequestNumber?: number;
}

/**
 * The commits a deployment brought: those between the commit of the
 * previous successful deployment of its application and the one it deployed.
 *
 * @public
 */
export interface DeploymentChanges {
  /** The commit the previous successful deployment ran; none for the first. */
  fromSha?: string;
  /** How many commits; 0 for a redeploy of the same commit or a rollback. */
  count: number;
  /** Commit time of the oldest of them. */
  oldestCommittedAt?: string;
}

/**
 * The applications of one environment, in promotion order.
 *
 * @public
 */
export interface EnvironmentDeployments {
  environment: string;
  order: number;
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  /**
   * All of them, or, when `summary` is present, `summary.listed` of them:
   * one running the most common revision, then the least healthy.
   */
  applications: DeployedApplication[];
  /** Counts over every application, when not all are listed. */
  summary?: EnvironmentSummary;
}

/**
 * Response of the entity deployments endpoint.
 *
 * @public
 */
export interface EntityDeploymentsResponse {
  entityRef: string;
  environments: EnvironmentDeployments[];
  /** Promotion order: which commit each environment runs, how far behind the previous one. */
  promotion?: PromotionStep[];
  /** Pull-request previews, newest pull request first; not in `environments`. */
  previews?: DeployedApplication[];
  /** The ApplicationSets that generated the entity's applications. */
  applicationSets?: ApplicationSetStatus[];
}

/**
 * A page of deployment history.
 *
 * @public
 */
export interface DeploymentHistoryPage {
  items: GitopsDeployment[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
}

/**
 * A page of the fleet listing.
 *
 * @public
 */
export interface FleetPage {
  items: GitopsApplication[];
  totalCount: number;
  nextCursor?: string;
}

/**
 * A commit, as the portal shows it.
 *
 * @public
 */
export interface CommitInfo {
  sha: string;
  message: string;
  authorName: string;
  authorEmail?: string;
  committedAt: string;
  url?: string;
}

/**
 * Commits on the tracked branch that the environment does not run yet.
 *
 * @public
 */
export interface PendingCommits {
  branch: string;
  headSha?: string;
  /** ahead: commits wait; up-to-date: none; diverged: the deployed commit is not on the branch (force push). */
  status: 'ahead' | 'up-to-date' | 'diverged';
  count: number;
  /** Newest first, capped. */
  commits: CommitInfo[];
  compareUrl?: string;
}

/**
 * What Git says about one source of an application.
 *
 * @public
 */
export interface SourceGitInfo {
  repoUrl: string;
  revision?: string;
  commit?: CommitInfo;
  /** Absent for sources pinned to a tag or commit, and for Helm charts. */
  pending?: PendingCommits;
  /** Helm chart sources: the newest stable chart version in the chart repository. */
  latestChartVersion?: string;
  /** Why Git (or the chart repository) could not be read for this source. */
  error?: string;
  checkedAt?: string;
}

/**
 * An application with its Git information.
 *
 * @public
 */
export type DeployedApplication = GitopsApplication & { git?: SourceGitInfo[] };

/**
 * Which commit an environment runs and how far it is behind the next one.
 *
 * @public
 */
export interface PromotionStep {
  environment: string;
  repoUrl?: string;
  sha?: string;
  commit?: CommitInfo;
  /** Commits the next environment (in reverse promotion order: the one before) has that this one lacks. */
  behindPrevious?: number;
  previousEnvironment?: string;
}

/**
 * How reading a controller (Argo CD instance or Flux cluster) goes.
 *
 * @public
 */
export interface ControllerStatus {
  engine: GitopsEngine;
  instance: string;
  /** unreachable: the last read failed; its applications show their last known state. */
  status: 'ok' | 'unreachable';
  lastAttemptAt: string;
  /** The last successful read: what every application of it was read at. */
  lastSuccessAt?: string;
  lastError?: string;
  /** When the current run of failed reads began. */
  errorSince?: string;
  /** Applications in the last successful read. */
  applicationCount: number;
}
