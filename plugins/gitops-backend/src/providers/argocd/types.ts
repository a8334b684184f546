import type { ObjectMeta } from '../objectMeta';

/**
 * The parts of Argo CD's `v1alpha1Application` (swagger.json) that the
 * backend reads. Every field is optional, as in the API.
 */
export interface ArgoApplicationSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
}

export interface ArgoRevisionHistory {
  id?: number;
  revision?: string;
  revisions?: string[];
  deployedAt?: string;
  deployStartedAt?: string;
  initiatedBy?: { username?: string; automated?: boolean };
  source?: ArgoApplicationSource;
  sources?: ArgoApplicationSource[];
}

export interface ArgoApplication {
  metadata?: ObjectMeta;
  /**
   * A requested operation: set when a sync is asked for, before the
   * controller starts it (and kept while it runs).
   */
  operation?: {
    sync?: { revision?: string; revisions?: string[] };
    initiatedBy?: { username?: string; automated?: boolean };
  };
  spec?: {
    project?: string;
    source?: ArgoApplicationSource;
    sources?: ArgoApplicationSource[];
    destination?: { server?: string; name?: string; namespace?: string };
    /** Argo CD 3.x source hydration: a dry source rendered into a sync branch. */
    sourceHydrator?: {
      drySource?: ArgoApplicationSource;
      syncSource?: { targetBranch?: string; path?: string; repoURL?: string };
    };
    syncPolicy?: {
      automated?: { prune?: boolean; selfHeal?: boolean; enabled?: boolean };
    };
  };
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string; message?: string };
    history?: ArgoRevisionHistory[];
    operationState?: {
      phase?: string;
      message?: string;
      startedAt?: string;
      finishedAt?: string;
      syncResult?: { revision?: string; revisions?: string[] };
      operation?: {
        initiatedBy?: { username?: string; automated?: boolean };
      };
    };
    conditions?: Array<{ type?: string; message?: string }>;
    reconciledAt?: string;
    summary?: { images?: string[]; externalURLs?: string[] };
    resources?: ArgoResourceStatus[];
    /** `appTree` (Argo CD 3.x): resource health is in the resource tree, not in `resources`. */
    resourceHealthSource?: string;
    sourceHydrator?: {
      lastSuccessfulOperation?: { drySHA?: string; hydratedSHA?: string };
      currentOperation?: {
        drySHA?: string;
        hydratedSHA?: string;
        phase?: string;
        message?: string;
      };
    };
  };
}

/** `applicationv1alpha1ResourceStatus`. */
export interface ArgoResourceStatus {
  group?: string;
  version?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  status?: string;
  health?: { status?: string; message?: string };
  hook?: boolean;
}

/** `v1alpha1ResourceNode` of `v1alpha1ApplicationTree`. */
export interface ArgoResourceNode {
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  health?: { status?: string; message?: string };
  parentRefs?: Array<{ group?: string; kind?: string; name?: string }>;
}

export interface ArgoApplicationTree {
  nodes?: ArgoResourceNode[] | null;
}

export interface ArgoApplicationList {
  items?: ArgoApplication[] | null;
  metadata?: { resourceVersion?: string };
}

/** The parts of a `v1alpha1ApplicationSet` the backend reads. */
export interface ArgoApplicationSet {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    strategy?: {
      type?: string;
      rollingSync?: { steps?: unknown[] | null };
    };
  };
  status?: {
    conditions?: Array<{
      type?: string;
      status?: string;
      reason?: string;
      message?: string;
      lastTransitionTime?: string;
    }> | null;
    applicationStatus?: Array<{
      application?: string;
      status?: string;
      step?: string;
      message?: string;
      lastTransitionTime?: string;
    }> | null;
  };
}

export interface ArgoApplicationSetList {
  items?: ArgoApplicationSet[] | null;
}
