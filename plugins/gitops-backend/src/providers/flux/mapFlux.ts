import {
  DeploymentResult,
  GitopsApplication,
  HealthStatus,
  SyncStatus,
  applicationId,
} from '@gitops-portal/plugin-gitops-common';
import { NewDeployment } from '../../database/GitopsStore';
import { deploymentKey } from '../../service/deploymentKey';
import {
  EnvironmentConfig,
  resolveEnvironment,
} from '../../service/environments';
import { FluxCondition, FluxObject } from './types';
import { Workload, inventoryState } from './workloads';

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

function helmResult(status?: string): DeploymentResult {
  if (status === 'deployed' || status === 'superseded') return 'Succeeded';
  if (status === 'failed') return 'Failed';
  if (status?.startsWith('pending')) return 'Running';
  return 'Unknown';
}

/**
 * Maps a Kustomization or HelmRelease, with the sources it was read with,
 * to the shared model, and its `status.history` to deployments.
 */
export function mapFluxObject(
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
  const history = obj.status?.history ?? [];
  const labels = obj.metadata?.labels ?? {};
  const destination = {
    namespace: obj.spec?.targetNamespace ?? namespace,
    name: options.cluster,
  };
  const environment = resolveEnvironment(
    { instance: options.cluster, namespace, labels, destination },
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
      deployments.push({
        applicationId: id,
        dedupeKey: deploymentKey(id, h.firstReconciled, [revision]),
        environment,
        revisions: [revision],
        finishedAt: h.firstReconciled,
        result: h.lastReconciledStatus === 'failure' ? 'Failed' : 'Succeeded',
        initiatedBy: 'kustomize-controller',
        origin: 'controller-history',
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
    for (const h of history) {
      if (!h.firstDeployed || !h.chartVersion) continue;
      deployments.push({
        applicationId: id,
        dedupeKey: deploymentKey(id, h.firstDeployed, [h.chartVersion]),
        environment,
        revisions: [h.chartVersion],
        startedAt: h.firstDeployed,
        finishedAt: h.lastDeployed ?? h.firstDeployed,
        result: helmResult(h.status),
        initiatedBy: 'helm-controller',
        origin: 'controller-history',
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
    ...inventoryState(obj, options.workloads),
    stale: false,
    lastReadAt: options.readAt,
  };
  if (kind === 'HelmRelease' && attempted && !revisions.includes(attempted)) {
    application.attemptedRevisions = [attempted];
  }
  return { application, deployments };
}
