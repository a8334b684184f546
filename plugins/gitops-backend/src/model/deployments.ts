import {
  DeploymentResult,
  GitopsApplication,
  GitopsDeployment,
} from '@gitops-portal/plugin-gitops-common';

/** A push event, applied to the stored state of its application. */
export interface StoredEvent {
  applicationId: string;
  /**
   * The new state and the deployment the event reports. An event older
   * than the stored state (a late or redelivered one) changes no state
   * (`application` undefined) but its deployment is still recorded: a
   * failed sync told after its retry succeeded happened all the same.
   * Undefined when the event tells nothing.
   */
  apply(current: GitopsApplication):
    | {
        application?: GitopsApplication;
        deployment?: NewDeployment;
      }
    | undefined;
}

/**
 * A deployment to record; `dedupeKey` identifies it so that the same
 * deployment seen twice (in a later poll, or as a retried event) is stored once.
 */
export interface NewDeployment {
  applicationId: string;
  dedupeKey: string;
  environment: string;
  revisions: string[];
  startedAt?: string;
  finishedAt: string;
  result: DeploymentResult;
  initiatedBy?: string;
  origin: GitopsDeployment['origin'];
  message?: string;
  /** What was applied beyond the revisions (Helm values, an Argo CD source), when the controller tells. */
  contentDigest?: string;
}
