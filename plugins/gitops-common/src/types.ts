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
export type ApplicationSource = components['schemas']['Source'];

/**
 * Where an application deploys to.
 *
 * @public
 */
export type ApplicationDestination =
  components['schemas']['Application']['destination'];

/**
 * Where a hydrated application's dry commit was rendered to.
 *
 * @public
 */
export type ApplicationHydration = NonNullable<
  components['schemas']['Application']['hydration']
>;

/**
 * How the controller keeps an application in sync: Argo CD's
 * `spec.syncPolicy`, Flux's `spec.interval`, `spec.prune` and `spec.suspend`.
 *
 * @public
 */
export type ApplicationSyncPolicy = NonNullable<
  components['schemas']['Application']['syncPolicy']
>;

/**
 * An Argo CD ApplicationSet: its own conditions and, with a progressive
 * sync (`strategy.type: RollingSync`), the step of each generated
 * application.
 *
 * @public
 */
export type ApplicationSetStatus =
  components['schemas']['ApplicationSetStatus'];

/**
 * An Argo Rollouts `Rollout` an application manages: its strategy and how far
 * the new version has got.
 *
 * @public
 */
export type ApplicationRollout = components['schemas']['ApplicationRollout'];

/**
 * A resource an application manages, with its sync and health.
 *
 * @public
 */
export type ApplicationResource = components['schemas']['ApplicationResource'];

/**
 * The current state of one GitOps application (Argo CD Application, Flux Kustomization or HelmRelease).
 *
 * @public
 */
export type GitopsApplication = components['schemas']['Application'];

/**
 * A deployment seen for an application: an entry of the controller's history
 * or a transition observed by the backend.
 *
 * @public
 */
export type GitopsDeployment = components['schemas']['Deployment'];

/**
 * The proposal a deployment carried out.
 *
 * @public
 */
export type DeploymentProposal = components['schemas']['DeploymentProposal'];

/**
 * The commits a deployment brought: those between the commit of the
 * previous successful deployment of its application and the one it deployed.
 *
 * @public
 */
export type DeploymentChanges = components['schemas']['DeploymentChanges'];

/**
 * The applications of one environment, in promotion order.
 *
 * @public
 */
export type EnvironmentDeployments =
  components['schemas']['EnvironmentDeployments'];

/**
 * Response of the entity deployments endpoint.
 *
 * @public
 */
export type EntityDeploymentsResponse =
  components['schemas']['EntityDeploymentsResponse'];

/**
 * A page of deployment history.
 *
 * @public
 */
export type DeploymentHistoryPage =
  components['schemas']['DeploymentHistoryPage'];

/**
 * A page of the fleet listing.
 *
 * @public
 */
export type FleetPage = components['schemas']['FleetPage'];

/**
 * A commit, as the portal shows it.
 *
 * @public
 */
export type CommitInfo = components['schemas']['Commit'];

/**
 * Commits on the tracked branch that the environment does not run yet.
 *
 * @public
 */
export type PendingCommits = NonNullable<
  components['schemas']['SourceGitInfo']['pending']
>;

/**
 * What Git says about one source of an application.
 *
 * @public
 */
export type SourceGitInfo = components['schemas']['SourceGitInfo'];

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
export type PromotionStep = components['schemas']['PromotionStep'];

/**
 * How reading a controller (Argo CD instance or Flux cluster) goes.
 *
 * @public
 */
export type ControllerStatus = components['schemas']['ControllerStatus'];
