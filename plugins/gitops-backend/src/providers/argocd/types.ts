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
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion?: string;
      kind?: string;
      name?: string;
      uid?: string;
    }>;
  };
  spec?: {
    project?: string;
    source?: ArgoApplicationSource;
    sources?: ArgoApplicationSource[];
    destination?: { server?: string; name?: string; namespace?: string };
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
  };
}

export interface ArgoApplicationList {
  items?: ArgoApplication[] | null;
  metadata?: { resourceVersion?: string };
}
