import type { ObjectMeta } from '../objectMeta';

/** The parts of Flux objects (kustomize v1, helm v2, source v1) the backend reads. */
export interface FluxCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface FluxObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: {
    suspend?: boolean;
    /** How often the object is reconciled (a Go duration). */
    interval?: string;
    /** Kustomization: delete what is no longer in the source. */
    prune?: boolean;
    /** HelmRelease: whether cluster changes are detected and corrected. */
    driftDetection?: { mode?: string };
    path?: string;
    url?: string;
    ref?: {
      branch?: string;
      tag?: string;
      semver?: string;
      commit?: string;
      name?: string;
    };
    sourceRef?: { kind?: string; name?: string; namespace?: string };
    targetNamespace?: string;
    chart?: {
      spec?: {
        chart?: string;
        version?: string;
        sourceRef?: { kind?: string; name?: string; namespace?: string };
      };
    };
    chartRef?: { kind?: string; name?: string; namespace?: string };
    releaseName?: string;
    [key: string]: unknown;
  };
  status?: {
    conditions?: FluxCondition[];
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    lastHandledReconcileAt?: string;
    artifact?: { revision?: string; lastUpdateTime?: string };
    history?: Array<{
      // Kustomization
      digest?: string;
      firstReconciled?: string;
      lastReconciled?: string;
      lastReconciledDuration?: string;
      lastReconciledStatus?: string;
      metadata?: Record<string, string>;
      totalReconciliations?: number;
      // HelmRelease
      chartName?: string;
      chartVersion?: string;
      appVersion?: string;
      firstDeployed?: string;
      lastDeployed?: string;
      status?: string;
      version?: number;
      ociDigest?: string;
      configDigest?: string;
    }>;
    [key: string]: unknown;
  };
}

/** The Flux kinds read, with their API group, version and plural. */
export const FLUX_KINDS = {
  Kustomization: {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
  },
  HelmRelease: {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    plural: 'helmreleases',
  },
  GitRepository: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'gitrepositories',
  },
  OCIRepository: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'ocirepositories',
  },
  HelmRepository: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'helmrepositories',
  },
  Bucket: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'buckets',
  },
} as const;

export type FluxKind = keyof typeof FLUX_KINDS;
export const FLUX_SOURCE_KINDS: FluxKind[] = [
  'GitRepository',
  'OCIRepository',
  'HelmRepository',
  'Bucket',
];
export const FLUX_APP_KINDS: FluxKind[] = ['Kustomization', 'HelmRelease'];
