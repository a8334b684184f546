import { createHash } from 'node:crypto';
import {
  ApplicationResource,
  ApplicationRollout,
  GitopsApplication,
  applicationId,
  toHealthStatus,
  toSyncStatus,
} from '@gitops-portal/plugin-gitops-common';
import { ArgoInstanceConfig } from '../../config';
import { NewDeployment } from '../../model/deployments';
import { EnvironmentConfig, placeApplication } from '../../model/environments';
import { deploymentKey } from '../../model/deploymentKey';
import { ArgoApplication, ArgoApplicationTree } from './types';
import { mapSafely } from '../unreadable';
import { HydratedCommits } from './hydration';

/*
 * Argo CD's objects mapped to the GitOps model: applications (with their
 * resources, history and sync policy) and ApplicationSets. Where Argo CD
 * revisions are read.
 */

/** `revisions` of a multi-source result, else the single `revision`. */
function revisionsOf(value?: {
  revision?: string;
  revisions?: string[];
}): string[] {
  if (value?.revisions?.length) return value.revisions;
  return value?.revision ? [value.revision] : [];
}

function initiator(by?: { username?: string; automated?: boolean }) {
  if (by?.username) return by.username;
  return by?.automated ? 'automated' : undefined;
}

/** A digest of a history entry's source(s), keys sorted. */
function digestOf(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (!v || typeof v !== 'object') return v;
    return Object.fromEntries(
      Object.keys(v as object)
        .sort()
        .map(k => [k, sorted((v as Record<string, unknown>)[k])]),
    );
  };
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(sorted(value)))
    .digest('hex')}`;
}

const MAX_RESOURCES = 50;
const keyOf = (r: {
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
}) => `${r.group ?? ''}/${r.kind}/${r.namespace ?? ''}/${r.name}`;

/** Whether an app keeps resource health in its resource tree (Argo CD 3.x). */
export function healthInTree(item: ArgoApplication): boolean {
  return item.status?.resourceHealthSource === 'appTree';
}

/**
 * Images, and the resources that drifted or are unhealthy: sync status from
 * `status.resources`, health from there (2.x) or from the resource tree (3.x,
 * `resourceHealthSource: appTree`).
 */
function resourcesOf(
  status: NonNullable<ArgoApplication['status']>,
  tree?: ArgoApplicationTree,
): Pick<GitopsApplication, 'images' | 'resources' | 'resourceCount'> {
  const out: Pick<GitopsApplication, 'images' | 'resources' | 'resourceCount'> =
    {};
  if (status.summary?.images?.length) out.images = [...status.summary.images];
  const managed = (status.resources ?? []).filter(
    r => r.kind && r.name && !r.hook,
  );
  if (!managed.length) return out;
  out.resourceCount = managed.length;
  const treeHealth = new Map(
    (tree?.nodes ?? [])
      .filter(n => n.health?.status)
      .map(n => [keyOf(n), n.health!]),
  );
  const problems: ApplicationResource[] = [];
  for (const r of managed) {
    const health = r.health?.status ? r.health : treeHealth.get(keyOf(r));
    const syncStatus = r.status ? toSyncStatus(r.status) : undefined;
    const healthStatus = health?.status
      ? toHealthStatus(health.status)
      : undefined;
    const drifted = syncStatus === 'OutOfSync';
    const unhealthy =
      healthStatus !== undefined &&
      healthStatus !== 'Healthy' &&
      healthStatus !== 'Suspended';
    if (!drifted && !unhealthy) continue;
    problems.push({
      group: r.group || undefined,
      kind: r.kind!,
      namespace: r.namespace || undefined,
      name: r.name!,
      syncStatus,
      healthStatus,
      message: health?.message || undefined,
    });
  }
  if (problems.length) out.resources = problems.slice(0, MAX_RESOURCES);
  return out;
}

type ArgoMapOptions = Parameters<typeof readArgoApplication>[1];

/**
 * Maps an Argo CD Application to the shared model and its history entries
 * (plus a failed last operation, which Argo CD keeps out of history) to
 * deployments. An application whose shape is not what the API promises is
 * answered as one of unknown state that says so (see `mapSafely`).
 */
export function mapArgoApplication(
  item: ArgoApplication,
  options: ArgoMapOptions,
) {
  return mapSafely(item, () => readArgoApplication(item, options), {
    engine: 'argocd',
    instance: options.instance.name,
    name: i =>
      typeof i.metadata?.name === 'string' ? i.metadata.name : undefined,
    environments: options.environments,
    readAt: options.readAt,
    defaultNamespace: 'argocd',
  });
}

function readArgoApplication(
  item: ArgoApplication,
  options: {
    instance: ArgoInstanceConfig;
    environments: EnvironmentConfig;
    readAt: string;
    /** The resource tree, for apps whose resource health lives there (3.x). */
    tree?: ArgoApplicationTree;
    /** Hydrated commits' dry ones, as seen in earlier reads. */
    hydratedCommits?: HydratedCommits;
    /** Argo Rollouts of the app, read while it is not healthy. */
    rollouts?: ApplicationRollout[];
  },
):
  | { application: GitopsApplication; deployments: NewDeployment[] }
  | undefined {
  const name = item.metadata?.name;
  const namespace = item.metadata?.namespace ?? 'argocd';
  if (!name) return undefined;
  const { instance } = options;
  const status = item.status ?? {};
  let specSources = item.spec?.sources ?? [];
  if (!specSources.length && item.spec?.source)
    specSources = [item.spec.source];
  // source hydration (3.x): what a person commits is the dry source
  const hydrator = item.spec?.sourceHydrator;
  if (hydrator?.drySource?.repoURL) specSources = [hydrator.drySource];
  const sources = specSources.map(s => ({
    repoUrl: s.repoURL ?? '',
    path: s.path || undefined,
    chart: s.chart || undefined,
    targetRevision: s.targetRevision || undefined,
  }));
  const history = [...(status.history ?? [])].sort((a, b) =>
    (a.deployedAt ?? '').localeCompare(b.deployedAt ?? ''),
  );
  const lastDeployed = history[history.length - 1];
  const op = status.operationState;
  const opRevisions = revisionsOf(op?.syncResult);
  // deployed: the last history entry, else a succeeded operation, else what sync compared
  let revisions = revisionsOf(status.sync);
  if (lastDeployed) revisions = revisionsOf(lastDeployed);
  else if (op?.phase === 'Succeeded' && opRevisions.length)
    revisions = opRevisions;
  const hydrated = status.sourceHydrator;
  const drySHA = hydrated?.lastSuccessfulOperation?.drySHA;
  let hydration: GitopsApplication['hydration'];
  if (hydrator) {
    hydration = {
      targetBranch: hydrator.syncSource?.targetBranch,
      hydratedRevision: hydrated?.lastSuccessfulOperation?.hydratedSHA,
      phase: hydrated?.currentOperation?.phase,
      message:
        hydrated?.currentOperation?.phase === 'Failed'
          ? hydrated.currentOperation.message
          : undefined,
    };
    // the deployed commit is the dry one the running manifests came from
    if (drySHA) revisions = [drySHA];
  }
  // OutOfSync against the very revision last deployed: the cluster changed
  const compared = revisionsOf(status.sync);
  const deployed = lastDeployed ? revisionsOf(lastDeployed) : [];
  let outOfSyncCause: GitopsApplication['outOfSyncCause'];
  if (status.sync?.status === 'OutOfSync' && compared.length && deployed.length)
    outOfSyncCause = compared.join() === deployed.join() ? 'drift' : 'revision';
  const failed = op?.phase === 'Failed' || op?.phase === 'Error';
  const attempted =
    failed && opRevisions.length && opRevisions.join() !== revisions.join()
      ? opRevisions
      : undefined;
  const labels = item.metadata?.labels ?? {};
  const destination = {
    server: item.spec?.destination?.server,
    name: item.spec?.destination?.name,
    namespace: item.spec?.destination?.namespace,
  };
  const id = applicationId({
    engine: 'argocd',
    instance: instance.name,
    namespace,
    name,
  });
  const { environment, preview } = placeApplication(
    {
      instance: instance.name,
      namespace,
      labels,
      destination,
      annotations: item.metadata?.annotations,
      createdAt: item.metadata?.creationTimestamp,
    },
    options.environments,
  );
  const errorCondition = status.conditions?.find(c =>
    c.type?.endsWith('Error'),
  );
  const message =
    (failed ? op?.message : undefined) ??
    (hydration?.message
      ? `Hydration failed: ${hydration.message}`
      : undefined) ??
    errorCondition?.message ??
    status.health?.message ??
    undefined;

  const application: GitopsApplication = {
    id,
    engine: 'argocd',
    instance: instance.name,
    namespace,
    name,
    kind: 'Application',
    project: item.spec?.project,
    destination,
    environment,
    sources,
    syncPolicy: argoSyncPolicy(item),
    syncStatus: toSyncStatus(status.sync?.status),
    healthStatus: toHealthStatus(status.health?.status),
    // a sync asked for and not started yet has an `operation` but no
    // running operationState: it is syncing all the same
    operationPhase: item.operation ? 'Running' : op?.phase,
    message:
      item.operation && op?.phase !== 'Running'
        ? `Sync requested${
            initiator(item.operation.initiatedBy)
              ? ` by ${initiator(item.operation.initiatedBy)}`
              : ''
          }, waiting for the controller`
        : message,
    revisions,
    attemptedRevisions: attempted,
    lastSyncedAt: lastDeployed?.deployedAt ?? op?.finishedAt,
    labels,
    controllerUrl: `${instance.uiUrl}/applications/${encodeURIComponent(
      namespace,
    )}/${encodeURIComponent(name)}`,
    applicationSet: item.metadata?.ownerReferences?.find(
      r => r.kind === 'ApplicationSet',
    )?.name,
    ...(preview ? { preview } : {}),
    ...resourcesOf(status, options.tree),
    ...(hydration ? { hydration } : {}),
    ...(outOfSyncCause ? { outOfSyncCause } : {}),
    ...(options.rollouts?.length ? { rollouts: options.rollouts } : {}),
    stale: false,
    lastReadAt: options.readAt,
  };

  // a hydrated app's history has hydrated commits: each is told by its dry
  // commit, from the pairs the controller tells now and told before
  const known = options.hydratedCommits;
  if (hydrator) {
    known?.learn(id, drySHA, hydrated?.lastSuccessfulOperation?.hydratedSHA);
    known?.learn(
      id,
      hydrated?.currentOperation?.drySHA,
      hydrated?.currentOperation?.hydratedSHA,
    );
  }
  const dry = (revs: string[]): string[] => {
    if (!hydrator || revs.length !== 1) return revs;
    if (drySHA && revs[0] === hydration?.hydratedRevision) return [drySHA];
    const seen = known?.dryOf(id, revs[0]);
    return seen ? [seen] : revs;
  };
  const deployments: NewDeployment[] = history
    .filter(h => h.deployedAt)
    .map(h => ({
      applicationId: id,
      dedupeKey: deploymentKey(id, h.deployedAt!, revisionsOf(h)),
      environment,
      revisions: dry(revisionsOf(h)),
      startedAt: h.deployStartedAt,
      finishedAt: h.deployedAt!,
      result: 'Succeeded' as const,
      initiatedBy: initiator(h.initiatedBy),
      origin: 'controller-history' as const,
      // what was applied beyond the revision: Helm values and parameters,
      // path, plugin settings (a values-only change is a new deployment)
      ...(h.source || h.sources
        ? { contentDigest: digestOf(h.sources ?? h.source) }
        : {}),
    }));
  if (failed && op?.finishedAt) {
    deployments.push({
      applicationId: id,
      dedupeKey: deploymentKey(id, op.finishedAt, opRevisions),
      environment,
      revisions: dry(opRevisions),
      startedAt: op.startedAt,
      finishedAt: op.finishedAt,
      result: 'Failed',
      initiatedBy: initiator(op.operation?.initiatedBy),
      origin: 'controller-history',
      message: op.message,
    });
  }
  return { application, deployments };
}

/**
 * `spec.syncPolicy`: automated sync (off when absent, or with 3.x's
 * `automated.enabled: false`), with self-heal and prune as it says.
 */
function argoSyncPolicy(item: ArgoApplication) {
  const automated = item.spec?.syncPolicy?.automated;
  const on = Boolean(automated) && automated?.enabled !== false;
  return {
    automated: on,
    selfHeal: on && automated?.selfHeal === true,
    prune: on && automated?.prune === true,
  };
}
