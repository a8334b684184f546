import {
  ApplicationSetStatus,
  GitopsApplication,
  GitopsEngine,
} from '@gitops-portal/plugin-gitops-common';
import { NewDeployment } from './deployments';

/** What one read of an instance or cluster returned. */
export interface ProviderSnapshot {
  applications: GitopsApplication[];
  deployments: NewDeployment[];
  /**
   * Argo CD ApplicationSets of the instance; absent when they could not be
   * read (the stored ones are then kept as they are).
   */
  applicationSets?: ApplicationSetStatus[];
}

/**
 * One Argo CD instance or Kubernetes cluster that the backend reads in the
 * background and asks to act on applications.
 */
export interface GitopsProvider {
  readonly engine: GitopsEngine;
  readonly instance: string;
  /** Reads every application of the instance. Throws when the instance cannot be read. */
  read(options: { signal?: AbortSignal }): Promise<ProviderSnapshot>;
  /**
   * Follows changes at the controller until `signal` aborts, calling
   * `onChange` with the applications that changed (a partial snapshot).
   * Optional: providers without it are polled only. May miss changes (the
   * next full read reconciles them); throws when the watch fails.
   */
  watch?(options: {
    signal: AbortSignal;
    onChange: (changed: ProviderSnapshot) => Promise<void>;
  }): Promise<void>;
  /** Asks the controller to re-read Git and compare. */
  refresh(app: GitopsApplication): Promise<void>;
  /** Asks the controller to apply the desired state. */
  sync(app: GitopsApplication): Promise<void>;
  /** Stops reconciling the application (Flux). */
  suspend?(app: GitopsApplication): Promise<void>;
  /** Resumes reconciling the application (Flux). */
  resume?(app: GitopsApplication): Promise<void>;
}
