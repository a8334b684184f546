import {
  DeploymentResult,
  GitopsApplication,
  HealthStatus,
  SyncStatus,
  applicationId,
} from '@gitops-portal/plugin-gitops-common';
import { NewDeployment } from '../../model/deployments';
import { deploymentKey } from '../../model/deploymentKey';
import { EnvironmentConfig, placeApplication } from '../../model/environments';
import { FluxCondition, FluxObject } from './types';
import { Workload, inventoryState } from './workloads';
import { mapSafely } from '../unreadable';

const condition = (obj: FluxObject, type: string): FluxCondition | undefined =>
  obj.status?.conditions?.find(c => c.type === type);

/**
 * Sync and health of a Flux object from its Ready / Reconciling / Stalled
 * conditions and `spec.suspend`.
 */
export function fluxStatus(obj: FluxObject): {
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  message?: string;
  phase?: string;
} {
  const ready = condition(obj, 'Ready');
  const reconciling = condition(obj, 'Reconciling');
  const stalled = condition(obj, 'Stalled');
  const applied = obj.status?.lastAppliedRevision;
  const attempted = obj.status?.lastAttemptedRevision;
  let syncStatus: SyncStatus = ready?.status === 'True' ? 'Synced' : 'Unknown';
  // a revision was attempted but not applied: what runs is not what Git says
  if (applied && attempted && applied !== attempted) syncStatus = 'OutOfSync';
  if (obj.spec?.suspend) {
    return {
      syncStatus,
      healthStatus: 'Suspended',
      message: 'Reconciliation is suspended',
      phase: 'Suspended',
    };
  }
  if (stalled?.status === 'True') {
    return {
      syncStatus,
      healthStatus: 'Degraded',
      message: stalled.message ?? ready?.message,
      phase: stalled.reason,
    };
  }
  if (reconciling?.status === 'True') {
    return {
      syncStatus,
      healthStatus: 'Progressing',
      message: reconciling.message,
      phase: reconciling.reason,
    };
  }
  if (ready?.status === 'True') {
    return { syncStatus, healthStatus: 'Healthy', phase: ready.reason };
  }
  if (ready?.status === 'False') {
    return {
      syncStatus,
      healthStatus: 'Degraded',
      message: ready.message,
      phase: ready.reason,
    };
  }
  return {
    syncStatus,
    healthStatus: 'Unknown',
    message: ready?.message,
    phase: ready?.reason,
  };
}

/**
 * A Kustomization history entry's result: `lastReconciledStatus` is the
 * reason of the last reconciliation of that revision, ReconciliationSucceeded
 * when it passed (older controllers wrote `success`), a failure reason
 * (HealthCheckFailed, ReconciliationFailed, BuildFailed, ...) otherwise.
 */
function kustomizationResult(status?: string): DeploymentResult {
  if (!status) return 'Succeeded';
  return status === 'success' || /Succeeded$/.test(status)
    ? 'Succeeded'
    : 'Failed';
}

/**
 * When the last Helm action of a HelmRelease ended: helm-controller sets
 * its `Released` condition (`Ready` before v2) to Install/Upgrade
 * Succeeded/Failed as the release revision it started (`lastDeployed`)
 * ends. Undefined when the condition tells of something else or is older
 * than that revision.
 */
function helmActionEnded(
  obj: FluxObject,
  newest: { lastDeployed?: string; status?: string } | undefined,
): string | undefined {
  const c = condition(obj, 'Released') ?? condition(obj, 'Ready');
  if (
    !newest?.lastDeployed ||
    !c?.lastTransitionTime ||
    !/^(Install|Upgrade)(Succeeded|Failed)$/.test(c.reason ?? '') ||
    c.reason?.endsWith('Failed') !== (newest.status === 'failed')
  )
    return undefined;
  const ended = Date.parse(c.lastTransitionTime);
  return ended >= Date.parse(newest.lastDeployed)
    ? c.lastTransitionTime
    : undefined;
}

function helmResult(status?: string): DeploymentResult {
  if (status === 'deployed' || status === 'superseded') return 'Succeeded';
  if (status === 'failed') return 'Failed';
  if (status?.startsWith('pending')) return 'Running';
  return 'Unknown';
}

type FluxMapOptions = Parameters<typeof readFluxObject>[1];

/**
 * Maps a Kustomization or HelmRelease, with the sources it was read with,
 * to the shared model, and its `status.history` to deployments. An object
 * whose shape is not what the API promises is answered as an application of
 * unknown state that says so (see `mapSafely`).
 */
export function mapFluxObject(obj: FluxObject, options: FluxMapOptions) {
  return mapSafely(obj, () => readFluxObject(obj, options), {
    engine: 'flux',
    instance: options.cluster,
    name: o =>
      typeof o.metadata?.name === 'string' &&
      (o.kind === 'Kustomization' || o.kind === 'HelmRelease')
        ? `${o.kind}/${o.metadata.name}`
        : undefined,
    environments: options.environments,
    readAt: options.readAt,
    defaultNamespace: 'default',
  });
}

function readFluxObject(
  obj: FluxObject,
  options: {
    cluster: string;
    environments: EnvironmentConfig;
    sources: Map<string, FluxObject>;
    readAt: string;
    /** The cluster's workloads by kind/namespace/name, when they could be read. */
    workloads?: Map<string, Workload>;
  },
):
  | { application: GitopsApplication; deployments: NewDeployment[] }
  | undefined {
  const name = obj.metadata?.name;
  const namespace = obj.metadata?.namespace;
  const kind = obj.kind;
  if (
    !name ||
    !namespace ||
    (kind !== 'Kustomization' && kind !== 'HelmRelease')
  ) {
    return undefined;
  }
  const id = applicationId({
    engine: 'flux',
    instance: options.cluster,
    namespace,
    name: `${kind}/${name}`,
  });
  const sourceRef =
    kind === 'Kustomization'
      ? obj.spec?.sourceRef
      : obj.spec?.chart?.spec?.sourceRef ?? obj.spec?.chartRef;
  const source = sourceRef?.kind
    ? options.sources.get(
        `${sourceRef.kind}/${sourceRef.namespace ?? namespace}/${
          sourceRef.name
        }`,
      )
    : undefined;
  const ref = source?.spec?.ref;
  const sources = [
    {
      repoUrl:
        source?.spec?.url ??
        `${sourceRef?.kind ?? 'Source'}/${sourceRef?.name ?? '?'}`,
      path: kind === 'Kustomization' ? obj.spec?.path : undefined,
      chart:
        kind === 'HelmRelease'
          ? obj.spec?.chart?.spec?.chart ?? sourceRef?.name
          : undefined,
      targetRevision:
        kind === 'HelmRelease'
          ? obj.spec?.chart?.spec?.version ?? ref?.tag ?? ref?.semver
          : ref?.branch ?? ref?.tag ?? ref?.semver ?? ref?.commit ?? ref?.name,
    },
  ];
  const status = fluxStatus(obj);
  const history = Array.isArray(obj.status?.history)
    ? obj.status!.history!.filter(h => h && typeof h === 'object')
    : [];
  const labels = obj.metadata?.labels ?? {};
  const destination = {
    namespace: obj.spec?.targetNamespace ?? namespace,
    name: options.cluster,
  };
  const { environment, preview } = placeApplication(
    {
      instance: options.cluster,
      namespace,
      labels,
      destination,
      annotations: obj.metadata?.annotations,
      createdAt: obj.metadata?.creationTimestamp,
    },
    options.environments,
  );

  let revisions: string[] = [];
  let lastSyncedAt: string | undefined;
  const deployments: NewDeployment[] = [];
  if (kind === 'Kustomization') {
    if (obj.status?.lastAppliedRevision)
      revisions = [obj.status.lastAppliedRevision];
    for (const h of history) {
      const revision =
        h.metadata?.revision ?? h.metadata?.originRevision ?? h.digest ?? '';
      if (!h.firstReconciled) continue;
      const result = kustomizationResult(h.lastReconciledStatus);
      deployments.push({
        applicationId: id,
        // an entry that failed and later passed is a failure and a retry
        dedupeKey: `${deploymentKey(id, h.firstReconciled, [
          revision,
        ])}#${result}`,
        environment,
        revisions: [revision],
        finishedAt: h.firstReconciled,
        result,
        initiatedBy: 'kustomize-controller',
        origin: 'controller-history',
        ...(h.digest ? { contentDigest: h.digest } : {}),
        ...(result === 'Failed' && h.lastReconciledStatus
          ? { message: h.lastReconciledStatus }
          : {}),
      });
    }
    const latest = [...history].sort((a, b) =>
      (b.firstReconciled ?? '').localeCompare(a.firstReconciled ?? ''),
    )[0];
    lastSyncedAt =
      latest?.firstReconciled ?? condition(obj, 'Ready')?.lastTransitionTime;
  } else {
    const sorted = [...history].sort(
      (a, b) => (b.version ?? 0) - (a.version ?? 0),
    );
    const current = sorted.find(h => h.status === 'deployed') ?? sorted[0];
    if (current?.chartVersion) revisions = [current.chartVersion];
    lastSyncedAt = current?.lastDeployed ?? current?.firstDeployed;
    if (!current && obj.status?.lastAppliedRevision) {
      // helm-controller before v2 (v2beta1) keeps no history: the chart
      // version it last applied, since Ready turned true
      revisions = [obj.status.lastAppliedRevision];
      lastSyncedAt = condition(obj, 'Ready')?.lastTransitionTime;
    }
    const ended = helmActionEnded(obj, sorted[0]);
    for (const h of history) {
      if (!h.firstDeployed || !h.chartVersion) continue;
      const result = helmResult(h.status);
      // still pending: not finished, its snapshot is read again when it is
      if (result === 'Running') continue;
      const startedAt = h.lastDeployed ?? h.firstDeployed;
      deployments.push({
        applicationId: id,
        // every revision of a Helm release keeps the first install time in
        // firstDeployed: the release revision tells upgrades apart
        dedupeKey: `${id}@helm:${new Date(h.firstDeployed).toISOString()}#v${
          h.version ?? '?'
        }#${h.chartVersion}`,
        environment,
        revisions: [h.chartVersion],
        startedAt,
        // Helm sets lastDeployed when a revision starts; the newest one
        // ended when its Released (or Ready) condition says
        finishedAt: (h === sorted[0] && ended) || startedAt,
        result,
        initiatedBy: 'helm-controller',
        origin: 'controller-history',
        ...(h.configDigest ? { contentDigest: h.configDigest } : {}),
        message: h.appVersion ? `app version ${h.appVersion}` : undefined,
      });
    }
  }
  const attempted = obj.status?.lastAttemptedRevision;
  const application: GitopsApplication = {
    id,
    engine: 'flux',
    instance: options.cluster,
    namespace,
    name,
    kind,
    destination,
    environment,
    sources,
    syncStatus: status.syncStatus,
    // Flux is OutOfSync when it has not applied the revision it fetched
    ...(status.syncStatus === 'OutOfSync'
      ? { outOfSyncCause: 'revision' as const }
      : {}),
    healthStatus: status.healthStatus,
    operationPhase: status.phase,
    message: status.message,
    revisions,
    attemptedRevisions:
      attempted && !revisions.includes(attempted) && kind === 'Kustomization'
        ? [attempted]
        : undefined,
    lastSyncedAt,
    labels,
    ...(preview ? { preview } : {}),
    syncPolicy: fluxSyncPolicy(obj, kind),
    ...inventoryState(obj, options.workloads),
    stale: false,
    lastReadAt: options.readAt,
  };
  if (kind === 'HelmRelease' && attempted && !revisions.includes(attempted)) {
    application.attemptedRevisions = [attempted];
  }
  return { application, deployments };
}

/**
 * How Flux keeps an object in sync: it reconciles every `spec.interval`
 * unless suspended; a Kustomization corrects drift on every reconciliation
 * and prunes with `spec.prune`; a HelmRelease corrects drift only with
 * `spec.driftDetection.mode: enabled`, and an upgrade removes what the
 * chart no longer renders.
 */
function fluxSyncPolicy(obj: FluxObject, kind: string) {
  const running = obj.spec?.suspend !== true;
  const interval =
    typeof obj.spec?.interval === 'string' ? obj.spec.interval : undefined;
  if (kind === 'HelmRelease')
    return {
      automated: running,
      selfHeal: running && obj.spec?.driftDetection?.mode === 'enabled',
      prune: true,
      ...(interval ? { interval } : {}),
    };
  return {
    automated: running,
    selfHeal: running,
    prune: obj.spec?.prune === true,
    ...(interval ? { interval } : {}),
  };
}
