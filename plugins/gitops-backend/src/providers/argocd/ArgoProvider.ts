import { createHash } from 'node:crypto';
import {
  ApplicationResource,
  ApplicationRollout,
  ApplicationSetStatus,
  GitopsApplication,
  applicationId,
  toHealthStatus,
  toSyncStatus,
} from '@gitops-portal/plugin-gitops-common';
import { ArgoInstanceConfig } from '../../config';
import { NewDeployment } from '../../model/deployments';
import { EnvironmentConfig, placeApplication } from '../../model/environments';
import { deploymentKey } from '../../model/deploymentKey';
import { GitopsProvider, ProviderSnapshot } from '../../model/provider';
import { batchChanges } from '../batchChanges';
import { ArgoClient } from './ArgoClient';
import {
  ArgoApplication,
  ArgoApplicationSet,
  ArgoApplicationTree,
} from './types';
import { isRollout, rolloutStatus } from './rollouts';
import { mapSafely } from '../unreadable';
import { HydratedCommits } from './hydration';

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
 * An ApplicationSet's conditions and, with a progressive sync, where each
 * generated application is (`status.applicationStatus[].step`).
 */
export function mapApplicationSet(
  set: ArgoApplicationSet,
  options: { instance: string; readAt: string },
): ApplicationSetStatus | undefined {
  const name = set.metadata?.name;
  if (!name) return undefined;
  const strategy = set.spec?.strategy;
  const rolling = strategy?.type === 'RollingSync';
  return {
    instance: options.instance,
    namespace: set.metadata?.namespace ?? 'argocd',
    name,
    ...(strategy?.type ? { strategy: strategy.type } : {}),
    ...(rolling ? { steps: strategy?.rollingSync?.steps?.length ?? 0 } : {}),
    conditions: (set.status?.conditions ?? [])
      .filter(c => c.type && c.status)
      .map(c => ({
        type: c.type!,
        status: c.status!,
        reason: c.reason || undefined,
        message: c.message || undefined,
        lastTransitionTime: c.lastTransitionTime || undefined,
      })),
    applications: (set.status?.applicationStatus ?? [])
      .filter(a => a.application)
      .map(a => {
        const step = Number(a.step);
        return {
          application: a.application!,
          status: a.status || undefined,
          step: a.step && Number.isInteger(step) ? step : undefined,
          message: a.message || undefined,
          lastTransitionTime: a.lastTransitionTime || undefined,
        };
      })
      .sort((x, y) => x.application.localeCompare(y.application)),
    readAt: options.readAt,
  };
}

/** Resource trees read per instance and read, for unhealthy 3.x-style apps. */
const TREES_PER_READ = 100;
/** Rollout objects read per instance and read, for apps rolling out. */
const ROLLOUTS_PER_READ = 100;

/** Runs `fn` over `items`, four at a time. */
async function fourAtATime<T>(items: T[], fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += 4) {
    await Promise.all(items.slice(i, i + 4).map(fn));
  }
}

function appKeyOf(app: ArgoApplication): string {
  return `${app.metadata?.namespace}/${app.metadata?.name}`;
}

/**
 * An application's state, without what Argo CD rewrites at every
 * reconciliation (its reconciledAt, its resourceVersion): those alone
 * change nothing.
 */
function fingerprintOf(app: ArgoApplication): string {
  const { metadata, status } = app;
  return createHash('sha1')
    .update(
      JSON.stringify({
        ...app,
        metadata: {
          ...metadata,
          resourceVersion: undefined,
          managedFields: undefined,
        },
        status: { ...status, reconciledAt: undefined },
      }),
    )
    .digest('base64');
}

/** Reads and acts on one Argo CD instance. */
export class ArgoProvider implements GitopsProvider {
  readonly engine = 'argocd' as const;
  readonly instance: string;
  private readonly client: ArgoClient;
  private readonly hydratedCommits = new HydratedCommits();

  constructor(
    private readonly options: {
      instance: ArgoInstanceConfig;
      environments: EnvironmentConfig;
      client?: ArgoClient;
    },
  ) {
    this.instance = options.instance.name;
    this.client = options.client ?? new ArgoClient(options.instance);
  }

  /** Each application's fingerprint as the last full read found it. */
  private fingerprints = new Map<string, string>();

  async read(options: { signal?: AbortSignal }): Promise<ProviderSnapshot> {
    const items = await this.client.listApplications(options.signal);
    this.fingerprints = new Map(
      items.map(item => [appKeyOf(item), fingerprintOf(item)]),
    );
    const readAt = new Date().toISOString();
    const snapshot: ProviderSnapshot = { applications: [], deployments: [] };
    const trees = await this.treesOf(items, options.signal);
    const rollouts = await this.rolloutsOf(items, options.signal);
    snapshot.applicationSets = await this.applicationSetsOf(
      readAt,
      options.signal,
    );
    for (const item of items) {
      const mapped = mapArgoApplication(item, {
        instance: this.options.instance,
        environments: this.options.environments,
        readAt,
        tree: trees.get(item),
        rollouts: rollouts.get(item),
        hydratedCommits: this.hydratedCommits,
      });
      if (mapped) {
        snapshot.applications.push(mapped.application);
        snapshot.deployments.push(...mapped.deployments);
      }
    }
    return snapshot;
  }

  /**
   * Resource trees of the 3.x-style apps that are not healthy: only there
   * does Argo CD say which resource is degraded. A few at a time, at most
   * `TREES_PER_READ` per read; a tree that cannot be read leaves its app
   * without resource health, not the read failed.
   */
  private async treesOf(
    items: ArgoApplication[],
    signal?: AbortSignal,
  ): Promise<Map<ArgoApplication, ArgoApplicationTree>> {
    const wanted = items
      .filter(
        i =>
          healthInTree(i) &&
          i.metadata?.name &&
          i.status?.health?.status &&
          i.status.health.status !== 'Healthy',
      )
      .slice(0, TREES_PER_READ);
    const trees = new Map<ArgoApplication, ArgoApplicationTree>();
    await fourAtATime(wanted, async item => {
      try {
        trees.set(
          item,
          await this.client.getResourceTree(
            {
              name: item.metadata!.name!,
              namespace: item.metadata?.namespace ?? 'argocd',
            },
            signal,
          ),
        );
      } catch {
        // health of this app's resources stays unknown this cycle
      }
    });
    return trees;
  }

  /**
   * The instance's ApplicationSets; undefined when they cannot be read (an
   * account without `applicationsets, get`, an older Argo CD): the
   * applications are read all the same.
   */
  private async applicationSetsOf(
    readAt: string,
    signal?: AbortSignal,
  ): Promise<ApplicationSetStatus[] | undefined> {
    try {
      const sets = await this.client.listApplicationSets(signal);
      return sets.flatMap(
        s => mapApplicationSet(s, { instance: this.instance, readAt }) ?? [],
      );
    } catch {
      return undefined;
    }
  }

  /**
   * Strategy and progress of the Argo Rollouts of apps that are not healthy
   * (a canary under way leaves its app Progressing or Suspended): each
   * Rollout's live object through Argo CD's resource endpoint, at most
   * `ROLLOUTS_PER_READ` per read. A healthy app's rollout has nothing under
   * way to show; one that cannot be read is left out, not the read failed.
   */
  private async rolloutsOf(
    items: ArgoApplication[],
    signal?: AbortSignal,
  ): Promise<Map<ArgoApplication, ApplicationRollout[]>> {
    const wanted = items
      .filter(
        i =>
          i.metadata?.name &&
          i.status?.health?.status &&
          i.status.health.status !== 'Healthy',
      )
      .flatMap(item =>
        (item.status?.resources ?? [])
          .filter(r => isRollout(r) && r.name)
          .map(resource => ({ item, resource })),
      )
      .slice(0, ROLLOUTS_PER_READ);
    const found = new Map<ArgoApplication, ApplicationRollout[]>();
    await fourAtATime(wanted, async ({ item, resource }) => {
      try {
        const live = await this.client.getLiveResource(
          {
            name: item.metadata!.name!,
            namespace: item.metadata?.namespace ?? 'argocd',
          },
          {
            group: resource.group,
            version: resource.version,
            kind: resource.kind!,
            namespace: resource.namespace,
            name: resource.name!,
          },
          signal,
        );
        const rollout = rolloutStatus(live);
        if (rollout) found.set(item, [...(found.get(item) ?? []), rollout]);
      } catch {
        // this rollout's progress stays unknown this cycle
      }
    });
    // read concurrently: the same order every read, so the app is unchanged
    for (const list of found.values())
      list.sort((x, y) => x.name.localeCompare(y.name));
    return found;
  }

  /**
   * Follows Argo CD's application stream. Changes are handed on in batches
   * (every 200 ms, or 500 applications) so a burst — the ADDED event per
   * application a stream starts with — is written a batch at a time.
   * Resource trees and Rollouts are read by full reads only.
   */
  async watch(options: {
    signal: AbortSignal;
    onChange: (changed: ProviderSnapshot) => Promise<void>;
  }): Promise<void> {
    const batch = batchChanges<ArgoApplication>({
      // what the last full read found: the ADDED event per application a
      // stream starts with is dropped for those unchanged since (at 1,000
      // clusters, 100,000 applications queued at once otherwise)
      seen: this.fingerprints,
      onChange: options.onChange,
      map: items => {
        const readAt = new Date().toISOString();
        const changed: ProviderSnapshot = { applications: [], deployments: [] };
        for (const item of items) {
          const mapped = mapArgoApplication(item, {
            instance: this.options.instance,
            environments: this.options.environments,
            readAt,
            hydratedCommits: this.hydratedCommits,
          });
          if (mapped) {
            changed.applications.push(mapped.application);
            changed.deployments.push(...mapped.deployments);
          }
        }
        return changed;
      },
    });
    try {
      await this.client.watchApplications({
        signal: options.signal,
        onEvent: async event => {
          // a deleted application goes at the next full read
          if (event.type === 'DELETED') return;
          await batch.add(
            appKeyOf(event.application),
            event.application,
            fingerprintOf(event.application),
          );
        },
      });
    } finally {
      await batch.close();
    }
  }

  async refresh(app: GitopsApplication): Promise<void> {
    await this.client.refreshApplication(app);
  }

  async sync(app: GitopsApplication): Promise<void> {
    await this.client.syncApplication(app);
  }
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
